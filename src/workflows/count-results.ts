import { patched } from '@temporalio/workflow';
import type { CaseContext } from './case-context';
import type { CountResultSignalInput } from './messages';

/**
 * Patch id: a count result that comes while the case is creating its count task is kept until the
 * task's id is known, then taken (it was ignored as an unknown task before). The WMS and Reckon's
 * record hold the task as soon as the activity wrote it; the case learns its id only when the
 * activity's answer reaches it, which a slow worker or a crash between the two can delay.
 */
export const COUNT_BEFORE_TASK_KNOWN_PATCH = 'count-before-task-known';

/** The countResultSignal: the result goes on the recount it is for, once. */
export function takeCountResult(ctx: CaseContext, c: CountResultSignalInput): void {
  const s = ctx.state;
  const open = s.recounts.find((r) => r.taskId === c.taskId);
  // asked only on this path, so a case that never meets it records no marker
  if (!open && ctx.creatingCountTask && patched(COUNT_BEFORE_TASK_KNOWN_PATCH)) {
    ctx.earlyCounts.push(c);
    return;
  }
  if (!open || open.countedQty !== undefined || open.timedOut) {
    const reason = !open ? 'unknown task' : open.timedOut ? 'arrived after the recount timed out' : 'already counted';
    ctx.audit('count_result_ignored', 'system', c.countedBy, { taskId: c.taskId, reason });
    ctx.dirty = true;
    return;
  }
  open.countedQty = c.countedQty;
  open.countedBy = c.countedBy;
  open.countedAt = c.countedAt;
  if (c.bookQty !== undefined) open.booksAtCount = c.bookQty;
  if (!s.involvedUsers.includes(c.countedBy)) s.involvedUsers.push(c.countedBy);
  (s.involvement ??= {})[c.countedBy] ??= `counted this bin for the recount (${c.taskId})`;
}

/**
 * Around the count task's creation: results that came meanwhile are taken once it is known (the
 * new task's in the order they came; any other is ignored as an unknown task, as it would have been).
 */
export async function creatingCountTask<T>(ctx: CaseContext, create: () => Promise<T>): Promise<T> {
  ctx.creatingCountTask = true;
  let created = false;
  try {
    const task = await create();
    created = true;
    return task;
  } finally {
    ctx.creatingCountTask = false;
    // no task: what came meanwhile was for none the case knows
    if (!created) takeEarlyCounts(ctx);
  }
}

/** Takes the results kept while the task was created; called once the task is on the case's recounts. */
export function takeEarlyCounts(ctx: CaseContext): void {
  const early = ctx.earlyCounts;
  ctx.earlyCounts = [];
  for (const c of early) takeCountResult(ctx, c);
}
