import type { UpdateDefinition } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { coversSite, effectivePolicy, reasonCodeRefusal, type Actor, type PinnedPolicy, type ReasonDecision } from '../../domain';
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
import { Conflict, Forbidden, NotFound, toApiError, ValidationError } from '../errors';
import { withDeadline } from './temporal';

export const CASE_ACTIONS = {
  approve: approveUpdate,
  reject: rejectUpdate,
  recount: recountUpdate,
  assign: assignUpdate,
  comments: commentUpdate,
  retry: retryUpdate,
  'resolve-manually': resolveManuallyUpdate,
  repin: repinPolicyUpdate,
} as const;
export type CaseAction = keyof typeof CASE_ACTIONS;

/**
 * An approver action on a case, as a Temporal update. The API only checks what it can see
 * cheaply (the case exists, the site, not closed); the workflow's validators make the real
 * decision (role on the ladder, segregation of duties, four eyes, state) and refuse with a
 * typed ApplicationFailure that the error middleware maps to 403/409/422.
 */
export async function actOnCase(
  ctx: ApiContext,
  actor: Actor,
  caseId: string,
  action: CaseAction,
  body: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<UpdateResult> {
  const row = await getCaseRef(ctx.db, caseId);
  if (!row) throw new NotFound(`no case ${caseId}`);
  if (!coversSite(actor, row.site)) throw new Forbidden(`${actor.userId} has no access to site ${row.site}`);
  if (row.status === 'closed') throw new Conflict(`case ${caseId} is closed`);
  await checkReasonCode(ctx, row, action, body);

  const handle = ctx.temporal.workflow.getHandle(row.workflowId, undefined, { firstExecutionRunId: row.id });
  // the same Idempotency-Key from the same user is the same update: Temporal answers it once
  const updateId = idempotencyKey ? `${action}:${actor.userId}:${idempotencyKey}` : randomUUID();
  const update = CASE_ACTIONS[action].name;
  // signed for this case, action and update id: the worker trusts no actor without it (docs/security.md)
  const input = signUpdateInput(privateKeyFromBase64(ctx.config.ACTOR_SIGNING_KEY), { workflowId: row.workflowId, update, updateId }, { ...body, actor });
  // the body was validated against this action's schema by the route
  const definition = CASE_ACTIONS[action] as unknown as UpdateDefinition<UpdateResult, [Record<string, unknown>]>;
  return withDeadline(ctx, ctx.timeouts.updateMs, () => handle.executeUpdate(definition, { args: [input], updateId }));

}

const DECISION_OF: Partial<Record<CaseAction, ReasonDecision>> = { approve: 'approve', reject: 'reject', 'resolve-manually': 'resolve_manually' };

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
  if (refusal) throw new ValidationError([{ path: refusal.code === 'reason_comment' ? 'body.comment' : 'body.reasonCode', message: refusal.message }], refusal.message);
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
