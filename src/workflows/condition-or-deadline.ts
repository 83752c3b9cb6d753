import { CancellationScope, condition, patched, sleep, type TimerOptions } from '@temporalio/workflow';

/**
 * Patch id: a workflow waiting on a deadline waits with fewer pending promises
 * (conditionOrDeadline): the same timer, cancelled the same way, but the wait settles in fewer
 * microtask hops, so what runs next may interleave differently with a handler. A case decides it
 * first thing in its run (CaseContext.leanWait); a watch at each of its deadline waits (watchUntil).
 */
export const LEAN_WAIT_PATCH = 'wait-with-fewer-promises';

/** A time to wait: milliseconds or a duration string ('30d'), as the SDK's timers take. */
type Duration = Parameters<typeof sleep>[0];

/**
 * `condition(fn, ms)` with the same commands (a timer started now, cancelled when `fn()` comes
 * first) and about half the promises. The SDK keeps a captured stack for every pending promise
 * of a workflow, and a case or a watch waits for hours or days in the worker's cache
 * (docs/perf/workflow.md). True when `fn()` came first, false when the timer fired. Only behind
 * LEAN_WAIT_PATCH.
 */
export function conditionOrDeadline(fn: () => boolean, ms: Duration, timer?: TimerOptions): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    // the timer and the condition belong to the scope: cancelling it cancels the timer (if `fn()`
    // came first) or drops the blocked condition (if the timer fired); the workflow's own
    // cancellation reaches both through it
    const scope = new CancellationScope();
    let fired: Promise<void> | undefined;
    let met: Promise<void> | undefined;
    scope
      .run(() => {
        // the timer first, as the SDK's condition: the commands and sequence numbers are the same
        fired = sleep(ms, timer);
        met = condition(fn);
        return Promise.resolve();
      })
      .catch(reject);
    // the scope is cancelled before the waiter resumes: the timer's cancellation comes before
    // any command of what it does next
    const settle = (came: boolean) => {
      scope.cancel();
      resolve(came);
    };
    // attached out here, not in the scope: shorter stacks for the SDK to keep
    fired?.then(() => settle(false), reject);
    met?.then(() => settle(true), reject);
  });
}

/**
 * A watch's `condition(fn, ms, timer)`: the lean wait once the run records LEAN_WAIT_PATCH here (a
 * watch that was already waiting when the patch was deployed replays the SDK's wait).
 */
export function watchUntil(fn: () => boolean, ms: Duration, timer?: TimerOptions): Promise<boolean> {
  if (patched(LEAN_WAIT_PATCH)) return conditionOrDeadline(fn, ms, timer);
  return timer ? condition(fn, ms, timer) : condition(fn, ms);
}
