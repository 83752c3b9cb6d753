import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../activities/deps';
import { anchorAuditChains } from './anchor';
import type { AnchorRecord } from './anchor-log';

/** The anchoring workflow's one activity: the root goes to the anchor log and back to the workflow's history. */
export function createAnchorActivities(deps: ActivityDeps) {
  return {
    async anchorAuditChains(input: { anchorId: string }): Promise<AnchorRecord> {
      if (!deps.auditAnchorFile) throw ApplicationFailure.nonRetryable('this worker has no anchor log (AUDIT_ANCHOR_FILE)', 'NoAnchorLog');
      const record = await anchorAuditChains(deps.db, deps.auditAnchorFile, input.anchorId);
      deps.logger.info({ anchorId: record.anchorId, root: record.root, chains: record.chains }, 'audit chains anchored');
      return record;
    },
  };
}
