import { ApplicationFailure } from '@temporalio/activity';
import type { CreateCountTaskCommand, PlaceHoldCommand, PostAdjustmentCommand, PostAdjustmentResult } from '../adapters/ports';
import { canonicalJson, WRITE_BASIS_CHANGED, type WriteBasis } from '../domain';
import { keepWriteBasis } from '../store/write-basis';
import { recordCountTask } from '../store/count-tasks-repo';
import { withTransaction } from '../store/db';
import { applyCorrectionIn, applyCorrectionToModel, stockLockKey } from '../store/model-corrections';
import { auditLockName } from '../store/audit-repo';
import type { ActivityDeps } from './deps';
import { asBusinessFailure } from './failures';
import { transitionRecorder, type TransitionRecord } from './record';

/** A correction with the basis it was decided on, and the workflow run that decided it. */
export interface AutoAdjustment {
  command: PostAdjustmentCommand;
  runId: string;
  basis: WriteBasis;
}

/**
 * An automatic correction with the close it leads to (AUTO_RESOLVE_IN_ONE_WRITE_PATCH). Only the
 * WMS knows the adjustment's id: the close's state and its `adjustment_posted` entry (by `seq`)
 * take it here, before they are recorded.
 */
export interface AutoCorrectionAndClose extends AutoAdjustment {
  close: TransitionRecord;
  adjustmentEntrySeq: number;
}

/**
 * Writes to systems of record. Every command carries an idempotency key made by the workflow.
 * Reckon's own model learns what it wrote (once per key): corrections move its running
 * balances, count tasks join the tasks whose results POST /v1/counts takes.
 */
export function createWriteActivities(deps: ActivityDeps) {
  const transitions = transitionRecorder(deps);
  /** The basis this write is decided on, kept before it goes out; a different one kept first refuses it. */
  async function keepBasis({ command, runId, basis }: AutoAdjustment): Promise<void> {
    const kept = await keepWriteBasis(deps.db, runId, command.caseId, basis);
    if (canonicalJson(kept) !== canonicalJson(basis)) {
      throw ApplicationFailure.create({ type: WRITE_BASIS_CHANGED, message: `run ${runId} kept another basis for its write first`, nonRetryable: true });
    }
  }
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
    async postAutoAdjustment(a: AutoAdjustment): Promise<PostAdjustmentResult> {
      await keepBasis(a);
      return postAdjustment(a.command);
    },
    /**
     * postAutoAdjustment and the close's record in one call: Reckon's balances and the case's
     * records move in one transaction once the WMS answered, so an auto-resolved case is one
     * local activity after its read. A task run again posts with the same key and records the
     * same sequence numbers: nothing lands twice.
     */
    async postAutoAdjustmentAndClose(a: AutoCorrectionAndClose): Promise<PostAdjustmentResult> {
      await keepBasis(a);
      const posted = await asBusinessFailure(() => deps.wms.postAdjustment(a.command));
      const close = withAdjustmentId(a.close, a.adjustmentEntrySeq, posted.adjustmentId);
      // the stock's lock, then the case's, as applyCorrectionIn and appendAudit would take them
      const locks = [stockLockKey(a.command.site, a.command.sku), auditLockName(close.state.caseId)];
      const written = await withTransaction(deps.db, async (c) => {
        await applyCorrectionIn(c, a.command, posted.adjustmentId, true);
        return transitions.inTransaction(c, close, true);
      }, locks);
      await transitions.committed(close, written);
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

function withAdjustmentId(t: TransitionRecord, seq: number, adjustmentId: string): TransitionRecord {
  const adjustment = t.state.adjustment && { ...t.state.adjustment, adjustmentId };
  return {
    ...t,
    state: { ...t.state, adjustment },
    entries: t.entries.map((e) => (e.seq === seq ? { ...e, detail: { ...e.detail, adjustmentId } } : e)),
  };
}
