/**
 * Every workflow as shipped, except that auditAnchor verifies the policy pin before it anchors:
 * a poison change to a short scheduled workflow (an activity added in front, without patched()).
 * Replaying the recorded anchoring must fail before such a worker is deployed.
 */
import { records } from '../../../src/workflows/activity-proxies';
import { auditAnchor as shipped } from '../../../src/workflows/audit-anchor';

export * from '../../../src/workflows';

export async function auditAnchor(): ReturnType<typeof shipped> {
  await records.pinPolicy();
  return shipped();
}
