import { randomUUID, type KeyObject } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import type { Actor } from '../../src/domain';
import { privateKeyFromBase64, signUpdateInput } from '../../src/temporal/actor-proof';

/**
 * An Update sent straight to Temporal the way the API sends it: signed with the API's key
 * (the suite's configured one unless `key` is given), bound to this workflow, update and id.
 */
export function signedUpdate<Ret, I extends { actor: Actor }>(
  handle: WorkflowHandle,
  def: UpdateDefinition<Ret, [I]>,
  input: I,
  key: KeyObject = privateKeyFromBase64(loadConfig().ACTOR_SIGNING_KEY),
): Promise<Ret> {
  const updateId = randomUUID();
  const signed = signUpdateInput(key, { workflowId: handle.workflowId, update: def.name, updateId }, input);
  return handle.executeUpdate(def, { args: [signed as unknown as I], updateId });
}
