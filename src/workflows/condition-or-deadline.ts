import { CancellationScope, condition, sleep } from '@temporalio/workflow';

/**
 * `condition(fn, ms)` with the same commands (a timer started now, cancelled when `fn()` comes
 * first) and about half the promises. The SDK keeps a captured stack for every pending promise
 * of a workflow, and a case waits for hours in the worker's cache (docs/perf/workflow.md).
 * True when `fn()` came first, false when the timer fired. Only behind LEAN_WAIT_PATCH.
 */
export function conditionOrDeadline(fn: () => boolean, ms: number, summary: string): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    // the timer and the condition belong to the scope: cancelling it cancels the timer (if `fn()`
    // came first) or drops the blocked condition (if the timer fired); the workflow's own
    // cancellation reaches both through it
    const scope = new CancellationScope();
    let timer: Promise<void> | undefined;
    let met: Promise<void> | undefined;
    scope
      .run(() => {
        // the timer first, as the SDK's condition: the commands and sequence numbers are the same
        timer = sleep(ms, { summary });
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
    timer?.then(() => settle(false), reject);
    met?.then(() => settle(true), reject);
  });
}
