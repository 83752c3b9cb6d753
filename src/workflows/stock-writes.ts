import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { WRITE_BASIS_CHANGED, type Resolution } from '../domain/core';
import { FINAL_WRITE_FAILURES, localWrites, writes } from './activity-proxies';
import { nowIso, patchedBeforeLocal, type CaseContext } from './case-context';
import { stockKey } from './evidence';

/**
 * Patch id: no case ends in a dead end. Every close releases the case's hold; the ladder's last
 * rung follows the policy's terminal plan; a write the WMS/ERP refuses (or that keeps failing)
 * sends the case to `needs_attention` instead of failing the workflow. Histories from before
 * closed an auto-resolved or terminal case with its hold on.
 */
export const NO_DEAD_ENDS_PATCH = 'no-dead-ends';

/** A write that will not land by retrying: the WMS/ERP refused it, or every attempt failed. */
export class WriteRefused extends Error {
  constructor(
    readonly write: string,
    readonly reason: string,
  ) {
    super(`${write}: ${reason}`);
    this.name = 'WriteRefused';
  }
}

/**
 * Runs one write to the system of record. A business refusal or exhausted retries become a
 * WriteRefused the main loop turns into needs_attention (cases recorded before the patch failed).
 */
export async function write<T>(ctx: CaseContext, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // a local activity's failure reaches the workflow as its cause itself, a regular one's wrapped
    const failed = err instanceof ActivityFailure || (err instanceof ApplicationFailure && ctx.openingTask);
    if (failed && patchedBeforeLocal(ctx, NO_DEAD_ENDS_PATCH)) throw refusal(what, err);
    throw err;
  }
}

/** A write's failure as the main loop takes it; another basis kept first fails the task instead. */
function refusal(what: string, err: ActivityFailure | ApplicationFailure): Error {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // an earlier attempt of this task wrote on another basis: failing the task runs it again on that one
  if (cause instanceof ApplicationFailure && cause.type === WRITE_BASIS_CHANGED) return new Error(`${what}: ${cause.message}`);
  const reason = cause instanceof ApplicationFailure ? `${cause.message}${cause.type ? ` (${cause.type})` : ''}` : (cause?.message ?? err.message);
  return new WriteRefused(what, reason.slice(0, 500));
}

/** A write's failure that no retry gets past (a local activity's failure is its cause itself). */
function isFinal(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && (cause.nonRetryable || FINAL_WRITE_FAILURES.includes(cause.type ?? ''));
}

function adjustmentCommand(ctx: CaseContext, qty: number, reasonCode: string, actor: string) {
  const s = ctx.state;
  const target = s.report.kind === 'system_mismatch' ? 'erp' : 'both';
  return { ...stockKey(s), qty, target, reasonCode, caseId: s.caseId, actor, idempotencyKey: `${s.caseId}:adjust` } as const;
}

type AdjustmentCommand = ReturnType<typeof adjustmentCommand>;

function adjusted(ctx: CaseContext, c: AdjustmentCommand, adjustmentId: string): void {
  ctx.state.adjustment = { adjustmentId, qty: c.qty, target: c.target };
  ctx.audit('adjustment_posted', c.actor.startsWith('rule:') ? 'rule' : 'user', c.actor, {
    adjustmentId,
    qty: c.qty,
    target: c.target,
    reasonCode: c.reasonCode,
    idempotencyKey: c.idempotencyKey,
  });
}

export async function postAdjustment(ctx: CaseContext, qty: number, reasonCode: string, actor: string): Promise<void> {
  const s = ctx.state;
  const command = adjustmentCommand(ctx, qty, reasonCode, actor);
  const res = await write(ctx, 'post adjustment', async () => {
    // an automatic correction in the task that decided it, with what it was decided on kept first;
    // tried locally once: after that (or after adjustAndClose's attempt), the regular activity
    const basis = ctx.openingTask && s.status === 'auto_resolving' && !ctx.basisKept ? ctx.basis() : undefined;
    if (basis) {
      ctx.basisKept = true;
      try {
        return await localWrites.postAutoAdjustment({ command, runId: workflowInfo().runId, basis });
      } catch (err) {
        if (isFinal(err)) throw err;
        // may pass on a retry: the activity below starts once this task's markers are recorded
      }
    }
    return writes.postAdjustment(command);
  });
  adjusted(ctx, command, res.adjustmentId);
}

/**
 * An automatic correction and the close it leads to, recorded in one local activity in the task
 * that decided them (AUTO_RESOLVE_IN_ONE_WRITE_PATCH). False when that did not land and a retry
 * may: the case is as it was, and postAdjustment runs the regular write. A refusal is final.
 */
export async function adjustAndClose(ctx: CaseContext, qty: number, reasonCode: string, actor: string, resolution: Resolution, reason: string): Promise<boolean> {
  if (!ctx.oneWrite || !ctx.openingTask || ctx.state.status !== 'auto_resolving') return false;
  const basis = ctx.basis();
  if (!basis) return false;
  const command = adjustmentCommand(ctx, qty, reasonCode, actor);
  let entrySeq = 0;
  ctx.basisKept = true;
  try {
    const res = await ctx.recordWith(
      () => {
        // the WMS names the adjustment: the activity puts its id in before recording
        adjusted(ctx, command, '');
        entrySeq = ctx.state.seq;
        // nothing is held in the opening task (a hold handed over waits for its first record)
        close(ctx, resolution, reason);
      },
      (t) => localWrites.postAutoAdjustmentAndClose({ command, runId: workflowInfo().runId, basis, close: t, adjustmentEntrySeq: entrySeq }),
    );
    ctx.state.adjustment!.adjustmentId = res.adjustmentId;
    return true;
  } catch (err) {
    if (isFinal(err)) throw refusal('post adjustment', err as ApplicationFailure);
    // may pass on a retry (the WMS down, a timeout): the regular activity starts once this task's markers are recorded
    return false;
  }
}

export async function placeHold(ctx: CaseContext, reason: string): Promise<void> {
  const s = ctx.state;
  if (s.hold && !s.hold.released) return;
  const qty = Math.max(Math.abs(s.observedQty - s.expectedQty), 0);
  const res = await write(ctx, 'place hold', () =>
    writes.placeHold({ ...stockKey(s), qty, reason, caseId: s.caseId, idempotencyKey: `${s.caseId}:hold` }),
  );
  s.hold = { holdId: res.holdId, qty, released: false };
  ctx.audit('hold_placed', 'system', 'reckon', { holdId: res.holdId, qty, reason });
}

export async function releaseHold(ctx: CaseContext, actorKind: 'system' | 'user', actorId: string): Promise<void> {
  const s = ctx.state;
  if (!s.hold || s.hold.released) return;
  const holdId = s.hold.holdId;
  await write(ctx, 'release hold', () => writes.releaseHold({ holdId, idempotencyKey: `${s.caseId}:release:${holdId}` }));
  s.hold.released = true;
  ctx.audit('hold_released', actorKind, actorId, { holdId });
}

/** Sets the case closed; the caller records. */
export function close(ctx: CaseContext, resolution: Resolution, reason: string): void {
  const s = ctx.state;
  s.status = 'closed';
  s.resolution = resolution;
  s.resolutionReason = reason;
  s.closedAt = nowIso();
  s.ownerRole = undefined;
  s.slaDeadline = undefined;
  s.slaDeadlineLocal = undefined;
  ctx.audit('closed', 'system', 'reckon', { resolution, reason });
}

/** Closes the case with its hold released first: no stock stays held by a closed case. */
export async function finish(
  ctx: CaseContext,
  resolution: Resolution,
  reason: string,
  by: { kind: 'system' | 'user'; id: string } = { kind: 'system', id: 'reckon' },
): Promise<void> {
  if (patchedBeforeLocal(ctx, NO_DEAD_ENDS_PATCH)) await releaseHold(ctx, by.kind, by.id);
  close(ctx, resolution, reason);
}
