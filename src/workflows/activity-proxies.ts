import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Activity proxies, one per kind of call, each with an explicit timeout and retry policy.
 * Evidence: few attempts, because missing evidence is recorded, not fatal.
 * Writes and records: retried until they land, since losing one would lose a decision.
 */
const BUSINESS = ['AdapterRejection'];

export const wmsEvidence = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '45s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: BUSINESS },
  summary: 'evidence from the WMS',
});

export const erpEvidence = proxyActivities<Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes: BUSINESS },
  summary: 'evidence from the ERP',
});

export const reckonEvidence = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
  summary: 'prior cases from the read model',
});

export const writes = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: BUSINESS },
  summary: 'write to the system of record',
});

export const records = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
  summary: 'read model and audit log',
});

export const scoring = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
  summary: 'score the evidence',
});
