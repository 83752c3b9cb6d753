import type { CreateCountTaskCommand, PlaceHoldCommand, PostAdjustmentCommand, PostAdjustmentResult } from '../adapters/ports';
import { recordCountTask } from '../store/count-tasks-repo';
import { applyCorrectionToModel } from '../store/model-corrections';
import type { ActivityDeps } from './deps';
import { asBusinessFailure } from './failures';

/**
 * Writes to systems of record. Every command carries an idempotency key made by the workflow.
 * Reckon's own model learns what it wrote (once per key): corrections move its running
 * balances, count tasks join the tasks whose results POST /v1/counts takes.
 */
export function createWriteActivities(deps: ActivityDeps) {
  return {
    async postAdjustment(cmd: PostAdjustmentCommand): Promise<PostAdjustmentResult> {
      const posted = await asBusinessFailure(() => deps.wms.postAdjustment(cmd));
      await applyCorrectionToModel(deps.db, cmd, posted.adjustmentId);
      return posted;
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
