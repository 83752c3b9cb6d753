import { Context } from '@temporalio/activity';

/**
 * The Temporal activity this call runs in, if any. Inside an activity Temporal's retry policy is
 * the one retry layer (the adapter makes one attempt), and the activity's cancellation (worker
 * shutdown, a heartbeat-delivered cancel) aborts the HTTP exchange instead of letting it outlive
 * the attempt.
 */
export function currentActivity(): { signal: AbortSignal } | undefined {
  try {
    return { signal: Context.current().cancellationSignal };
  } catch {
    return undefined; // not in an activity: the API's master-data reads, the contract suite
  }
}
