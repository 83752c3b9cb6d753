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
  type UpdateResult,
} from '../../workflows/messages';
import type { ApiContext } from '../deps';
import { Conflict, Forbidden, NotFound } from '../errors';
import { withDeadline } from './temporal';

export const CASE_ACTIONS = {
  approve: approveUpdate,
  reject: rejectUpdate,
  recount: recountUpdate,
  assign: assignUpdate,
  comments: commentUpdate,
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

  const handle = ctx.temporal.workflow.getHandle(row.workflowId, undefined, { firstExecutionRunId: row.id });
  // the same Idempotency-Key from the same user is the same update: Temporal answers it once
  const updateId = idempotencyKey ? `${action}:${actor.userId}:${idempotencyKey}` : randomUUID();
  const update = CASE_ACTIONS[action].name;
  // signed for this case, action and update id: the worker trusts no actor without it (docs/security.md)
  const input = signUpdateInput(privateKeyFromBase64(ctx.config.ACTOR_SIGNING_KEY), { workflowId: row.workflowId, update, updateId }, { ...body, actor });
  // by name: the body was validated against this action's schema by the route
  return withDeadline(ctx, ctx.timeouts.updateMs, () => handle.executeUpdate<UpdateResult, [Record<string, unknown>]>(update, { args: [input], updateId }));
}
