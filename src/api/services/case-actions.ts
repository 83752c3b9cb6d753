import type { UpdateDefinition, WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { coversSite, effectivePolicy, reasonCodeRefusal, type Actor, type CaseActionName, type PinnedPolicy, type ReasonDecision } from '../../domain';
import { getPolicyVersion } from '../../store/policy-repo';
import { privateKeyFromBase64, signUpdateInput } from '../../temporal/actor-proof';
import { getCaseRef } from '../../store/discrepancy-queries';
import {
  approveUpdate,
  assignUpdate,
  commentUpdate,
  recountUpdate,
  rejectUpdate,
  repinPolicyUpdate,
  resolveManuallyUpdate,
  retryUpdate,
  type UpdateResult,
} from '../../workflows/messages';
import type { ApiContext } from '../deps';
import { Conflict, NotFound, toApiError, ValidationError } from '../errors';
import type { ApproveBody, AssignBody, CommentBody, RecountBody, RejectBody, RepinBody, ResolveManuallyBody, RetryBody } from '../schemas';
import { withDeadline } from './temporal';

export type CaseAction = CaseActionName;

/** Each action's body, as its route validates it (src/api/schemas.ts). */
export interface CaseActionBodies {
  approve: z.output<typeof ApproveBody>;
  reject: z.output<typeof RejectBody>;
  recount: z.output<typeof RecountBody>;
  assign: z.output<typeof AssignBody>;
  comment: z.output<typeof CommentBody>;
  retry: z.output<typeof RetryBody>;
  resolve_manually: z.output<typeof ResolveManuallyBody>;
  repin: z.output<typeof RepinBody>;
}

type Send = (input: { actor: Actor }, call: <I extends { actor: Actor }>(update: UpdateDefinition<UpdateResult, [I]>, input: I) => Promise<UpdateResult>) => Promise<UpdateResult>;

/**
 * Each action as its typed update from messages.ts: the body with the actor must be what the
 * workflow's handler takes (checked by the compiler, no cast to a name or a loose type).
 */
function sender<A extends CaseAction>(action: A, body: CaseActionBodies[A]): Send {
  const as = <T>(v: unknown) => v as T; // the body was validated against this action's schema by the caller
  const senders: { [K in CaseAction]: Send } = {
    approve: (b, call) => call(approveUpdate, { ...as<CaseActionBodies['approve']>(body), ...b }),
    reject: (b, call) => call(rejectUpdate, { ...as<CaseActionBodies['reject']>(body), ...b }),
    recount: (b, call) => call(recountUpdate, { ...as<CaseActionBodies['recount']>(body), ...b }),
    assign: (b, call) => call(assignUpdate, { ...as<CaseActionBodies['assign']>(body), ...b }),
    comment: (b, call) => call(commentUpdate, { ...as<CaseActionBodies['comment']>(body), ...b }),
    retry: (b, call) => call(retryUpdate, { ...as<CaseActionBodies['retry']>(body), ...b }),
    resolve_manually: (b, call) => call(resolveManuallyUpdate, { ...as<CaseActionBodies['resolve_manually']>(body), ...b }),
    repin: (b, call) => call(repinPolicyUpdate, { ...as<CaseActionBodies['repin']>(body), ...b }),
  };
  return senders[action];
}

/**
 * An approver action on a case, as a Temporal update. The API only checks what it can see
 * cheaply (the case exists within the key's sites, not closed); the workflow's validators make
 * the real decision (caseActionRefusal: role on the ladder, segregation of duties, four eyes,
 * state) and refuse with a typed ApplicationFailure that the error middleware maps to 403/409/422.
 */
export async function actOnCase<A extends CaseAction>(
  ctx: ApiContext,
  actor: Actor,
  caseId: string,
  action: A,
  body: CaseActionBodies[A],
  idempotencyKey?: string,
): Promise<UpdateResult> {
  const row = await getCaseRef(ctx.db, caseId);
  // another site's case is "not found", exactly like an unknown one: a 403 would reveal it exists
  if (!row || !coversSite(actor, row.site)) throw new NotFound(`no case ${caseId}`);
  if (row.status === 'closed') throw new Conflict(`case ${caseId} is closed`);
  await checkReasonCode(ctx, row, action, body);

  const handle: WorkflowHandle = ctx.temporal.workflow.getHandle(row.workflowId, undefined, { firstExecutionRunId: row.id });
  // the same Idempotency-Key from the same user is the same update: Temporal answers it once
  const updateId = idempotencyKey ? `${action}:${actor.userId}:${idempotencyKey}` : randomUUID();
  return sender(action, body)({ actor }, (update, input) => {
    // signed for this case, update and update id: the worker trusts no actor without it (docs/security.md)
    const signed = signUpdateInput(privateKeyFromBase64(ctx.config.ACTOR_SIGNING_KEY), { workflowId: row.workflowId, update: update.name, updateId }, input);
    return withDeadline(ctx, ctx.timeouts.updateMs, () => handle.executeUpdate(update, { args: [signed], updateId }));
  });
}

const DECISION_OF: Partial<Record<CaseAction, ReasonDecision>> = { approve: 'approve', reject: 'reject', resolve_manually: 'resolve_manually' };

/** Versions never change once stored: each site's effective document is kept once read. */
const effectiveCache = new Map<string, PinnedPolicy>();

async function effectiveAt(ctx: ApiContext, version: number, site: string): Promise<PinnedPolicy | null> {
  const key = `${version}:${site}`;
  const hit = effectiveCache.get(key);
  if (hit) return hit;
  const pinned = await getPolicyVersion(ctx.db, version);
  if (!pinned) return null;
  const effective = effectivePolicy(pinned, site);
  if (effectiveCache.size > 500) effectiveCache.clear();
  effectiveCache.set(key, effective);
  return effective;
}

/**
 * The reason code against the case's pinned policy, for a 400 naming the allowed codes before the
 * update is sent. The workflow's validator checks it again (a client may bypass the API).
 */
async function checkReasonCode(ctx: ApiContext, row: { kind: string; site: string; policyVersion: number }, action: CaseAction, body: Record<string, unknown>): Promise<void> {
  const decision = DECISION_OF[action];
  if (!decision || row.policyVersion < 1) return;
  const policy = await effectiveAt(ctx, row.policyVersion, row.site);
  if (!policy) return;
  const refusal = reasonCodeRefusal(policy.document, row.kind, decision, body.reasonCode as string | undefined, body.comment as string | undefined);
  if (refusal) throw ValidationError.rule([{ path: refusal.code === 'reason_comment' ? 'body.comment' : 'body.reasonCode', message: refusal.message }], refusal.message);
}

export interface RepinResult {
  id: string;
  /** 200 when re-pinned; otherwise the status the single-case call would have answered */
  status: number;
  detail: string;
}

/** Re-pins each case on its own: one refused (closed, other site, same version) does not stop the rest. */
export async function repinCases(
  ctx: ApiContext,
  actor: Actor,
  caseIds: string[],
  body: { version: number; reason: string },
): Promise<RepinResult[]> {
  const results: RepinResult[] = [];
  for (const id of [...new Set(caseIds)]) {
    try {
      const r = await actOnCase(ctx, actor, id, 'repin', body);
      results.push({ id, status: 200, detail: r.outcome });
    } catch (err) {
      const api = toApiError(err);
      if (!api || api.status >= 500) throw err;
      results.push({ id, status: api.status, detail: api.message });
    }
  }
  return results;
}
