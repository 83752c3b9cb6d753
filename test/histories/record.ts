/**
 * Records workflow histories for the replay test: `npm run record-histories`. Run it when a
 * change is meant to alter histories (behind patched()), and commit the JSON it writes.
 */
import { InventoryEvent, type Actor } from '../../src/domain';
import { mismatchSettleId } from '../../src/ingest/detections';
import { acceptEvent } from '../../src/ingest/event-intake';
import { approveUpdate, commentUpdate, countResultSignal } from '../../src/workflows/messages';
import { receivingMatchId, returnWatchId, transferWatchId, watchStateQuery } from '../../src/workflows/watch-messages';
import { reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { intakePortsFor } from '../support/api';
import { signedUpdate } from '../support/signed-update';
import { saveHistory } from './save-history';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

const save = (name: string, workflowId: string) => saveHistory(engine, name, workflowId);

it('records an auto-resolved count variance', async () => {
  const site = 'DC-REC';
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'A-01-01', sku, wms: 50, erp: 50 });
  const h = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'count_variance', site, sku, location: 'A-01-01', expectedQty: 50, observedQty: 49, unitCost: 4, source: 'wms', causedBy: ['c1'],
  });
  await save('discrepancy-auto-resolved', h.workflowId);
});

it('records a recount compared with the books after picks, then an approval', async () => {
  const site = 'DC-REC';
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'C-02-01', sku, wms: 100, erp: 100 });
  const h = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'count_variance', site, sku, location: 'C-02-01', expectedQty: 100, observedQty: 80, unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['c1'],
  });
  const waiting = await eventually(async () => {
    const s = await waitForStatus(engine.client, h.workflowId, ['awaiting_recount']);
    return s.recounts[0] ? s : undefined;
  });
  await engine.db.query(`UPDATE ledger.balances SET wms_qty = 70, erp_qty = 70 WHERE site = $1 AND sku = $2`, [site, sku]);
  await h.signal(countResultSignal, { taskId: waiting.recounts[0].taskId, countedQty: 50, countedBy: 'c2', countedAt: new Date().toISOString() });
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  const a: Actor = { userId: 'ic1', roles: ['inventory_control'], sites: [site] };
  await signedUpdate(h, approveUpdate, { actor: a, reasonCode: 'COUNT_CONFIRMED' });
  await save('discrepancy-recount-books', h.workflowId);
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
  await signedUpdate(h, commentUpdate, { actor: a, text: 'vendor confirmed short shipment' });
  await signedUpdate(h, approveUpdate, { actor: a, reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await signedUpdate(h, approveUpdate, { actor: b, reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await save('discrepancy-four-eyes', h.workflowId);
});

// ---- watchers (one history per watcher type), driven through the event intake ----

async function intake(e: Parameters<typeof InventoryEvent.parse>[0]): Promise<void> {
  await acceptEvent({ db: engine.db, temporal: engine.client, config: engine.config, ...intakePortsFor(engine) }, InventoryEvent.parse(e));
}
const event = (e: Record<string, unknown>) => ({ eventId: uniq('E'), source: 'wms', occurredAt: new Date().toISOString(), ...e });

it('records a transferWatch: late, a case opened, then the late receipt told to it', async () => {
  const transferId = uniq('TR');
  const sku = uniq('SKU');
  await intake(event({ type: 'transfer_shipped', site: 'DC-REC', sku, qty: 3, reference: { kind: 'transfer', id: transferId }, attributes: { toSite: 'DC-REC2', eta: new Date(Date.now() - 60_000).toISOString() } }));
  const h = engine.client.workflow.getHandle(transferWatchId(transferId));
  await eventually(async () => ((await h.query(watchStateQuery)).caseId ? true : undefined));
  await intake(event({ type: 'transfer_received', site: 'DC-REC2', sku, qty: 3, reference: { kind: 'transfer', id: transferId } }));
  await save('transfer-watch-late', h.workflowId);
});

it('records a returnWatch: no disposition in time, hold and case, then the disposition releases the hold', async () => {
  const returnId = uniq('RMA');
  const sku = uniq('SKU');
  await intake(event({ type: 'return_received', site: 'DC-REC', sku, location: 'RET-1', qty: 2, reference: { kind: 'return', id: returnId } }));
  const h = engine.client.workflow.getHandle(returnWatchId('DC-REC', returnId));
  await eventually(async () => ((await h.query(watchStateQuery)).holdId ? true : undefined));
  await intake(event({ type: 'return_disposition', site: 'DC-REC', sku, location: 'RET-1', qty: 2, reference: { kind: 'return', id: returnId }, attributes: { disposition: 'restock' } }));
  await save('return-watch-late', h.workflowId);
});

it('records a receivingMatch: an ASN compared with a short receipt when due', async () => {
  const asnId = uniq('ASN');
  const sku = uniq('SKU');
  await intake(event({ type: 'asn', site: 'DC-REC', sku, qty: 10, reference: { kind: 'asn', id: asnId } }));
  await intake(event({ type: 'receipt', site: 'DC-REC', sku, location: 'DOCK', qty: 7, reference: { kind: 'asn', id: asnId }, attributes: { postedToErp: true } }));
  await save('receiving-match-short', receivingMatchId('DC-REC', 'asn', asnId));
});

it('records a mismatchSettle: an unposted receipt still unposted after the window', async () => {
  const sku = uniq('SKU');
  await intake(event({ type: 'receipt', site: 'DC-REC', sku, location: 'D-01', qty: 900, attributes: { unitCost: 5, skuClass: 'C' } }));
  await save('mismatch-settle-reported', mismatchSettleId({ kind: 'system_mismatch', site: 'DC-REC', sku, location: 'D-01' }));
});
