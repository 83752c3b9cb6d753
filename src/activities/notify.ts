import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { createHash } from 'node:crypto';
import type { Notification } from '../adapters/ports';
import { ChannelError, type CaseMessage } from '../adapters/notify';
import { durationMs, notificationRoutesFor, type PolicyDocument } from '../domain';
import { getActivePolicy, getPolicyVersion } from '../store/policy-repo';
import { caseForNotification, markSendDead, recordAttempt, recordSend, sendToTry } from '../store/notification-sends';
import { NOTIFICATION_DELIVERY_TYPE, notificationDeliveryId, type NotificationDeliveryInput } from '../workflows/notify-messages';
import type { ActivityDeps } from './deps';
import { asBusinessFailure } from './failures';

const DECIDE_BY = /Decide by (\d{4}-\d\d-\d\dT[\d:.]+Z)/;

/**
 * Telling people: the notifier port as before (its record), then one send per channel and
 * recipient the policy routes this role and site to, each delivered by its own workflow with
 * retries, so a channel that is down never holds the case back.
 */
export function createNotifyActivities(deps: ActivityDeps) {
  // a stored policy version never changes: read each once per worker
  const policies = new Map<number, PolicyDocument>();
  const policyOf = async (version: number | null | undefined): Promise<PolicyDocument> => {
    const cached = version ? policies.get(version) : undefined;
    if (cached) return cached;
    const pinned = version ? await getPolicyVersion(deps.db, version) : null;
    const found = pinned ?? (await getActivePolicy(deps.db));
    policies.set(found.version, found.document);
    return found.document;
  };
  return {
    async notifyRole(n: Notification): Promise<{ notificationId: string; replayed: boolean }> {
      const recorded = await asBusinessFailure(() => deps.notifier.notify(n));
      await fanOut(deps, n, policyOf);
      return recorded;
    },

    /** One try of one send; its outcome is recorded either way. */
    async deliverNotification(sendId: string): Promise<{ outcome: string }> {
      const send = await sendToTry(deps.db, sendId);
      if (!send || send.status === 'sent' || send.status === 'dead') return { outcome: send?.status ?? 'unknown send' };
      if (!deps.channels) throw ApplicationFailure.create({ type: 'NotificationRefused', message: 'no outbound channels on this worker', nonRetryable: true });
      try {
        const detail = await deps.channels.send({ channel: send.channel, recipient: send.recipient, payload: send.payload as Record<string, unknown> }, sendId);
        await recordAttempt(deps.db, sendId, 'sent', detail);
        return { outcome: detail };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await recordAttempt(deps.db, sendId, 'failed', message.slice(0, 500));
        deps.logger.warn({ sendId, channel: send.channel, err: message }, 'notification not delivered');
        throw ApplicationFailure.create({ type: err instanceof ChannelError && err.permanent ? 'NotificationRefused' : 'NotificationFailed', message, nonRetryable: err instanceof ChannelError && err.permanent });
      }
    },

    async markNotificationDead(sendId: string, reason: string): Promise<void> {
      await markSendDead(deps.db, sendId, reason);
    },
  };
}

async function fanOut(deps: ActivityDeps, n: Notification, policyOf: (version: number | null | undefined) => Promise<PolicyDocument>): Promise<void> {
  if (!deps.channels) return;
  const c = await caseForNotification(deps.db, n.caseId);
  const settings = (await policyOf(c?.policyVersion)).notifications;
  const routes = notificationRoutesFor(settings, n.role, n.site);
  if (routes.length === 0) return;
  // the read model may still show the previous rung: the workflow's own text names the new deadline
  const slaDeadline = n.body.match(DECIDE_BY)?.[1] ?? c?.slaDeadline ?? undefined;
  const message: Omit<CaseMessage, 'sendId'> = {
    caseId: n.caseId,
    role: n.role,
    site: n.site,
    kind: c?.kind ?? 'case',
    sku: c?.sku ?? '',
    location: c?.location ?? undefined,
    severity: c?.severity ?? undefined,
    slaDeadline,
    valueAtRisk: c?.valueAtRisk,
    subject: n.subject,
    text: n.body,
    link: `${(deps.publicUrl ?? 'http://localhost:3000').replace(/\/$/, '')}/v1/discrepancies/${encodeURIComponent(n.caseId)}`,
  };
  const now = Date.now();
  const wanted = new Map<string, string[]>();
  for (const r of routes) for (const ch of r.channels) wanted.set(ch, [...new Set([...(wanted.get(ch) ?? []), ...r.emails])]);
  for (const [channel, emails] of wanted) {
    const ch = channel as 'email' | 'webhook' | 'chat';
    for (const r of deps.channels.render(ch, emails, { ...message, sendId: '' }, now)) {
      const sendId = createHash('sha256').update(`${n.idempotencyKey}|${r.channel}|${r.recipient}`).digest('hex').slice(0, 32);
      const payload = r.channel === 'webhook' ? { ...r.payload, deliveryId: sendId } : r.payload;
      await recordSend(deps.db, { id: sendId, idempotencyKey: n.idempotencyKey, caseId: n.caseId, role: n.role, site: n.site, channel: r.channel, recipient: r.recipient, subject: n.subject, payload, maxAttempts: settings.attempts });
      await startDelivery({ sendId, attempts: settings.attempts, retryInitialMs: durationMs(settings.retryInitial), retryMaxMs: durationMs(settings.retryMax) });
    }
  }
}

/** Starts the send's delivery once: a repeat (a retried activity) finds it started or finished. */
async function startDelivery(input: NotificationDeliveryInput): Promise<void> {
  const ctx = Context.current();
  try {
    await ctx.client.workflow.start(NOTIFICATION_DELIVERY_TYPE, {
      workflowId: notificationDeliveryId(input.sendId),
      taskQueue: ctx.info.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `deliver notification ${input.sendId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
