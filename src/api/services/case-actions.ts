import type { UpdateDefinition } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { coversSite, type Actor } from '../../domain';
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
import { Conflict, NotFound, toApiError } from '../errors';
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
  // another site's case is "not found", exactly like an unknown one: a 403 would reveal it exists
  if (!row || !coversSite(actor, row.site)) throw new NotFound(`no case ${caseId}`);
  if (row.status === 'closed') throw new Conflict(`case ${caseId} is closed`);

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
