import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Activity proxies of the watchers. Opening a case and comparing are retried until they land:
 * the watcher's whole purpose is that the finding is not lost. An invalid report is a business
 * failure and is not retried.
 */
export const watchCases = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['InvalidWatcherReport'] },
  summary: 'open a case for what the watch found',
});

export const watchPolicy = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
  summary: 'the active policy',
});

export const watchWrites = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['AdapterRejection'] },
  summary: 'hold or release stock through the WMS',
});
