import {
  CountResultInvalid,
  CountTaskAlreadyDone,
  CountTaskNotFound,
  getCountTask,
  recordCountResult,
  type CountResult,
} from '../../store/count-tasks-repo';
import { coversSite, type Actor } from '../../domain';
import { recordTaskCountForAccuracy } from '../../accuracy/record-count';
import { seedBinIfUnknown } from '../../ingest/stock-lookup';
import { isCountPlan, reportPlannedCount } from '../../planner/count-results';
import { getCaseRef } from '../../store/discrepancy-queries';
import { countResultSignal } from '../../workflows/messages';
import type { ApiContext } from '../deps';
import { Conflict, NotFound, Unprocessable } from '../errors';
import { withDeadline } from './temporal';

export interface CountAccepted {
  taskId: string;
  /** the case that asked for the count; for a cycle-count plan's task, the case its variance opened (null: none) */
  caseId: string | null;
  /** set when the task came from a cycle-count plan */
  planId?: string;
  status: 'accepted';
  /** the task already had this result; nothing new was stored */
  replayed: boolean;
  /** whether the case was told (it is not when it has closed meanwhile) */
  signaled: boolean;
}

/**
 * A count result from the WMS: stored on Reckon's record of the count task (idempotent), then signalled to
 * the case that asked for the count. A retry after a failed signal finds the stored result and
 * signals again; the workflow ignores a result it already has.
 */
export async function submitCount(
  ctx: ApiContext,
  actor: Actor,
  body: { taskId: string; countedQty: number; countedBy: string; countedAt?: string; bookQty?: number },
): Promise<CountAccepted> {
  const task = await getCountTask(ctx.db, body.taskId);
  // another site's task is "not found", exactly like an unknown one
  if (!task || !coversSite(actor, task.site)) throw new NotFound(`no count task ${body.taskId}`);

  // a bin Reckon never heard an event about: its books from the WMS/ERP first, as intake does
  const lookup = ctx.intakePorts.stockLookup;
  if (lookup) await seedBinIfUnknown(ctx.db, { site: task.site, sku: task.sku, location: task.location ?? '' }, lookup, ctx.logger);
  let result: CountResult;
  try {
    result = await recordCountResult(ctx.db, {
      taskId: body.taskId,
      countedQty: body.countedQty,
      countedBy: body.countedBy,
      countedAt: body.countedAt ?? new Date().toISOString(),
      bookQty: body.bookQty,
    });
  } catch (err) {
    if (err instanceof CountTaskAlreadyDone) throw new Conflict(err.message);
    if (err instanceof CountTaskNotFound) throw new NotFound(err.message);
    if (err instanceof CountResultInvalid) throw new Unprocessable(err.message);
    throw err;
  }
  // before the case hears of it: a resent result records it if a crash came in between
  await recordTaskCountForAccuracy(ctx.db, result);

  if (await isCountPlan(ctx, task.caseId)) {
    const planned = await reportPlannedCount(ctx, task.caseId, result, { withTemporal: (call) => withDeadline(ctx, ctx.timeouts.signalMs, call) });
    return { taskId: task.taskId, caseId: planned.caseId, planId: planned.planId, status: 'accepted', replayed: result.replayed, signaled: false };
  }
  const accepted = { taskId: task.taskId, caseId: task.caseId, status: 'accepted' as const, replayed: result.replayed };
  const row = await getCaseRef(ctx.db, task.caseId);
  if (!row) throw new NotFound(`the count was recorded, but case ${task.caseId} is unknown`);
  if (row.status === 'closed') {
    if (result.replayed) return { ...accepted, signaled: false };
    throw new Conflict(`the count was recorded, but case ${task.caseId} is closed`);
  }
  const handle = ctx.temporal.workflow.getHandle(row.workflowId);
  await withDeadline(ctx, ctx.timeouts.signalMs, () =>
    handle.signal(countResultSignal, {
      taskId: result.taskId,
      countedQty: result.countedQty,
      countedBy: result.countedBy,
      countedAt: result.countedAt,
      ...(result.bookQty === undefined ? {} : { bookQty: result.bookQty }),
    }),
  );
  return { ...accepted, signaled: true };
}
