import { createHash } from 'node:crypto';
import type { Logger } from '../../logger';
import type { NotifierPort } from '../ports';
import { NotificationAccepted, PATHS } from './contract';
import type { Remote } from './remote';

/** The webhook notifier contract (docs/adapters.md): one POST per notification, keyed. */
export function createWebhookNotifier(remote: Remote): NotifierPort {
  return {
    async notify({ idempotencyKey, ...body }) {
      const r = await remote.call({ method: 'POST', path: PATHS.webhook.notifications, body, idempotencyKey }, NotificationAccepted);
      return { notificationId: r.data.notificationId, replayed: r.replayed };
    },
  };
}

/**
 * Notifications as log lines, for a deployment with neither a webhook nor the reference
 * ledger. The id derives from the key, so a retry names the same notification; whether it
 * was logged before cannot be known without storage, so `replayed` is always false.
 */
export function createLogNotifier(logger: Logger): NotifierPort {
  return {
    async notify(n) {
      const notificationId = `LOG-${createHash('sha256').update(n.idempotencyKey).digest('hex').slice(0, 24)}`;
      logger.info({ notificationId, role: n.role, site: n.site, caseId: n.caseId, subject: n.subject }, 'notification');
      return { notificationId, replayed: false };
    },
  };
}
