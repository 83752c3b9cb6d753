import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NotificationDeliveryInput, NotificationDeliveryResult } from './notify-messages';

const records = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * One send of a notification: tried with backoff until it gets through or the policy's tries
 * run out, then recorded as dead. Runs apart from the case, so a channel that is down never
 * holds a case back.
 */
export async function notificationDelivery(input: NotificationDeliveryInput): Promise<NotificationDeliveryResult> {
  const { deliverNotification } = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: {
      initialInterval: input.retryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: input.retryMaxMs,
      maximumAttempts: input.attempts,
      nonRetryableErrorTypes: ['NotificationRefused'],
    },
    summary: 'send the notification',
  });
  try {
    await deliverNotification(input.sendId);
    return 'sent';
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause.message : err.message;
    await records.markNotificationDead(input.sendId, `gave up: ${cause}`.slice(0, 500));
    return 'dead';
  }
}
