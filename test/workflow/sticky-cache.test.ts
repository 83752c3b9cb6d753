import type { Actor } from '../../src/domain';
import { approveUpdate } from '../../src/workflows/messages';
import { adjustmentsFor, reportDiscrepancy, seedBalance } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { signedUpdate } from '../support/signed-update';

/**
 * WORKER_MAX_CACHED_WORKFLOWS bounds how many cases a worker keeps in memory: with thousands
 * waiting on approval the SDK's default (sized from the heap) can hold gigabytes. A case pushed
 * out of the cache must still take its approval: the worker replays its history.
 */
let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ WORKER_MAX_CACHED_WORKFLOWS: 2 });
}, 60_000);
afterAll(() => engine?.stop());

async function statusOf(workflowId: string, statuses: string[]) {
  return eventually(async () => {
    const r = (await engine.db.query('SELECT id, status FROM discrepancies WHERE workflow_id = $1', [workflowId])).rows[0];
    return r && statuses.includes(r.status) ? r : undefined;
  });
}

it('keeps at most the configured number of cases cached, and an evicted case still takes an approval', async () => {
  const site = uniq('DC');
  const skus = [1, 2, 3, 4, 5].map(() => uniq('SKU'));
  const handles = [];
  for (const sku of skus) {
    await seedBalance(engine.db, { site, location: 'DOCK-1', sku, wms: 50, erp: 50 });
    // 20 short against the ASN at 5 each: review severity, straight to an approver
    handles.push(
      await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
        kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
        expectedQty: 50, observedQty: 30, unitCost: 5, skuClass: 'C', source: 'erp',
      }),
    );
  }
  for (const h of handles) await statusOf(h.workflowId, ['awaiting_approval']);
  expect(engine.worker.getStatus().numCachedWorkflows).toBeLessThanOrEqual(2);

  // the first case was pushed out of the cache by the four after it
  const approver: Actor = { userId: 'ic-cache', roles: ['inventory_control'], sites: [site] };
  const result = await signedUpdate(handles[0], approveUpdate, { actor: approver, reasonCode: 'SHORT_SHIP' });
  expect(result.approvalsGiven).toBe(result.approvalsRequired);
  const closed = await statusOf(handles[0].workflowId, ['closed']);
  expect(await adjustmentsFor(engine.db, site, skus[0])).toEqual([{ qty: -20, actor: 'ic-cache', idempotencyKey: `${closed.id}:adjust` }]);
  expect(engine.worker.getStatus().numCachedWorkflows).toBeLessThanOrEqual(2);
});
