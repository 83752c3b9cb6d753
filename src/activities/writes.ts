import type { CreateCountTaskCommand, PlaceHoldCommand, PostAdjustmentCommand, PostAdjustmentResult } from '../adapters/ports';
import type { ActivityDeps } from './deps';
import { asBusinessFailure } from './failures';

/** Writes to systems of record. Every command carries an idempotency key made by the workflow. */
export function createWriteActivities(deps: ActivityDeps) {
  return {
    async postAdjustment(cmd: PostAdjustmentCommand): Promise<PostAdjustmentResult> {
      return asBusinessFailure(() => deps.wms.postAdjustment(cmd));
    },
    async placeHold(cmd: PlaceHoldCommand): Promise<{ holdId: string; replayed: boolean }> {
      return asBusinessFailure(() => deps.wms.placeHold(cmd));
    },
    async releaseHold(cmd: { holdId: string; idempotencyKey: string }): Promise<{ released: boolean }> {
      return asBusinessFailure(() => deps.wms.releaseHold(cmd));
    },
    async createCountTask(cmd: CreateCountTaskCommand): Promise<{ taskId: string; replayed: boolean }> {
      return asBusinessFailure(() => deps.wms.createCountTask(cmd));
    },
  };
}
