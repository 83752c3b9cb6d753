/**
 * Records workflow histories for the replay test: `npm run record-histories`. Run it when a
 * change is meant to alter histories (behind patched()), and commit the JSON it writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Actor } from '../../src/domain';
import { approveUpdate, commentUpdate } from '../../src/workflows/messages';
import { reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { startEngine, uniq, type Engine } from '../support/engine';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

async function save(name: string, workflowId: string): Promise<void> {
  await engine.client.workflow.getHandle(workflowId).result();
  // the CLI's JSON is the format historyFromJSON reads (and what the Temporal UI downloads)
  const json = execFileSync(process.env.TEMPORAL_CLI!, [
    'workflow', 'show', '--workflow-id', workflowId, '--address', engine.config.TEMPORAL_ADDRESS, '--output', 'json',
  ]);
  writeFileSync(join(__dirname, `${name}.json`), json);
}

it('records an auto-resolved count variance', async () => {
  const site = 'DC-REC';
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'A-01-01', sku, wms: 50, erp: 50 });
  const h = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'count_variance', site, sku, location: 'A-01-01', expectedQty: 50, observedQty: 49, unitCost: 4, source: 'wms', causedBy: ['c1'],
  });
  await save('discrepancy-auto-resolved', h.workflowId);
});

it('records a four-eyes approval with a comment, then escalation-free close', async () => {
  const site = 'DC-REC';
  const sku = uniq('SKU');
  const h = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 200, observedQty: 160, unitCost: 50, skuClass: 'A', source: 'erp',
  });
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  const a: Actor = { userId: 'sup1', roles: ['site_supervisor'], sites: ['*'] };
  const b: Actor = { userId: 'sup2', roles: ['site_supervisor'], sites: [site] };
  await h.executeUpdate(commentUpdate, { args: [{ actor: a, text: 'vendor confirmed short shipment' }] });
  await h.executeUpdate(approveUpdate, { args: [{ actor: a, reasonCode: 'SHORT_SHIP', adjustQty: 0 }] });
  await h.executeUpdate(approveUpdate, { args: [{ actor: b, reasonCode: 'SHORT_SHIP', adjustQty: 0 }] });
  await save('discrepancy-four-eyes', h.workflowId);
});
