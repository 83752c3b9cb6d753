import { ApplicationFailure } from '@temporalio/activity';
import type { CreateCountTaskCommand, PlaceHoldCommand, PostAdjustmentCommand, PostAdjustmentResult } from '../adapters/ports';
import { canonicalJson, WRITE_BASIS_CHANGED, type WriteBasis } from '../domain';
import { keepWriteBasis } from '../store/write-basis';
import { recordCountTask } from '../store/count-tasks-repo';
import { applyCorrectionToModel } from '../store/model-corrections';
import type { ActivityDeps } from './deps';
import { asBusinessFailure } from './failures';

/** A correction with the basis it was decided on, and the workflow run that decided it. */
export interface AutoAdjustment {
  command: PostAdjustmentCommand;
  runId: string;
  basis: WriteBasis;
}

/**
 * Writes to systems of record. Every command carries an idempotency key made by the workflow.
 * Reckon's own model learns what it wrote (once per key): corrections move its running
 * balances, count tasks join the tasks whose results POST /v1/counts takes.
 */
export function createWriteActivities(deps: ActivityDeps) {
  async function postAdjustment(cmd: PostAdjustmentCommand): Promise<PostAdjustmentResult> {
    const posted = await asBusinessFailure(() => deps.wms.postAdjustment(cmd));
    await applyCorrectionToModel(deps.db, cmd, posted.adjustmentId);
    return posted;
  }
  return {
    postAdjustment,
    /**
     * An automatic correction written in the same workflow task as the case read and decided
     * (AUTO_RESOLVE_IN_ONE_TASK_PATCH): what it was decided on is kept first, so a task run again
     * closes on that. If an earlier attempt of the task kept another basis (it may have written
     * on it), this one fails its task, and the next attempt finds that basis.
     */
    async postAutoAdjustment({ command, runId, basis }: AutoAdjustment): Promise<PostAdjustmentResult> {
      const kept = await keepWriteBasis(deps.db, runId, command.caseId, basis);
      if (canonicalJson(kept) !== canonicalJson(basis)) {
        throw ApplicationFailure.create({ type: WRITE_BASIS_CHANGED, message: `run ${runId} kept another basis for its write first`, nonRetryable: true });
      }
      return postAdjustment(command);
    },
    async placeHold(cmd: PlaceHoldCommand): Promise<{ holdId: string; replayed: boolean }> {
      return asBusinessFailure(() => deps.wms.placeHold(cmd));
    },
    async releaseHold(cmd: { holdId: string; idempotencyKey: string }): Promise<{ released: boolean }> {
      return asBusinessFailure(() => deps.wms.releaseHold(cmd));
    },
    async createCountTask(cmd: CreateCountTaskCommand): Promise<{ taskId: string; replayed: boolean }> {
      const task = await asBusinessFailure(() => deps.wms.createCountTask(cmd));
      await recordCountTask(deps.db, task.taskId, cmd);
      return task;
    },
  };
}
