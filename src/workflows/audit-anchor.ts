import { proxyActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnchorRecord } from '../audit/anchor-log';

const { anchorAuditChains } = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 10 },
  summary: 'anchor every audit chain head (Merkle root) in the anchor log',
});

/**
 * One anchoring of the audit chains (started by its Temporal Schedule, or `npm run audit -- anchor`):
 * the root lands in the anchor log and, as this workflow's result and memo, in Temporal's history,
 * a second place outside the database to hold the log against.
 */
export async function auditAnchor(): Promise<AnchorRecord> {
  const record = await anchorAuditChains({ anchorId: workflowInfo().workflowId });
  upsertMemo({ root: record.root, chains: record.chains, anchorHash: record.anchorHash });
  return record;
}
