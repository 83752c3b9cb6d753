import { ApplicationFailure, currentUpdateInfo, workflowInfo } from '@temporalio/workflow';
import { checkActorProof } from '../domain/core';
import { REFUSAL_FAILURE_TYPES } from './messages';

/**
 * First line of every update validator: the actor must be the API's word — the worker's codec
 * checked the signature and marked it — bound to this workflow, this update and this update id.
 * Validators never run on replay, so the check cannot change a recorded history.
 */
export function requireVerifiedActor(input: unknown): void {
  const info = currentUpdateInfo();
  const r = checkActorProof(input, { workflowId: workflowInfo().workflowId, update: info?.name ?? '', updateId: info?.id ?? '' });
  if (r) throw ApplicationFailure.create({ type: REFUSAL_FAILURE_TYPES[r.kind], message: r.message, nonRetryable: true, details: [{ code: r.code }] });
}
