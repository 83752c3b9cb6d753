/**
 * Records the histories of the later patches of the case workflow (docs/architecture.md, the
 * patches table): a shrink pattern that grows while it waits for a person, one that grows while
 * its case needs attention, and a receiving recount that finds the receipt mis-keyed.
 * `npm run record-histories` runs it with the others; the replay test replays every JSON here.
 */
import type { Actor, CaseState, DiscrepancyReportInput } from '../../src/domain';
import { adoptHoldSignal, approveUpdate, countResultSignal, resolveManuallyUpdate, retryUpdate, stateQuery } from '../../src/workflows/messages';
import { reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { signedUpdate } from '../support/signed-update';
import { DEFAULT_RECOUNTS_SITE } from '../support/test-policy';
import { saveHistory } from './save-history';

const SITE = 'DC-PATTERNS';
let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

const save = (name: string, workflowId: string) => saveHistory(engine, name, workflowId);

const actor = (userId: string, role: string, site = SITE): Actor => ({ userId, roles: [role], sites: [site] });
const start = (input: DiscrepancyReportInput) => reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, input);
const until = (workflowId: string, ok: (s: CaseState) => boolean) =>
  eventually(async () => {
    const s = await engine.client.workflow.getHandle(workflowId).query(stateQuery, {});
    return ok(s) ? s : undefined;
  });

function shrink(observedQty: number): DiscrepancyReportInput {
  return {
    kind: 'shrink_pattern', site: SITE, sku: 'SKU-PATTERN', reference: { kind: 'other', id: `user:${uniq('u')}` }, expectedQty: 2, observedQty,
    unitCost: 20, skuClass: 'B', source: 'reckon-detector', causedBy: ['u-night'], sourceEventIds: [uniq('ADJ')],
  };
}

it('records a shrink pattern that grows while it waits for a person, then an approval', async () => {
  const first = shrink(9);
  const h = await start(first);
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await start({ ...first, observedQty: 15, sourceEventIds: [uniq('ADJ')] });
  await until(h.workflowId, (s) => s.status === 'awaiting_approval' && s.observedQty === 15 && s.assessment?.valueAtRisk === 260);
  await signedUpdate(h, approveUpdate, { actor: actor('lp1', 'loss_prevention'), reasonCode: 'THEFT' });
  await save('discrepancy-pattern-grew', h.workflowId);
});

it('records a shrink pattern that grows while its case needs attention, a retry that decides again, then a manual resolution', async () => {
  const first = shrink(9);
  const h = await start(first);
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  // a hold the WMS has no record of: its release is refused, the case needs attention
  await h.signal(adoptHoldSignal, { holdId: uniq('HOLD-GONE'), qty: 5, from: 'returnWatch' });
  await until(h.workflowId, (x) => x.hold !== undefined);
  await signedUpdate(h, approveUpdate, { actor: actor('lp1', 'loss_prevention'), reasonCode: 'THEFT' });
  await waitForStatus(engine.client, h.workflowId, ['needs_attention']);
  await start({ ...first, observedQty: 15, sourceEventIds: [uniq('ADJ')] });
  await until(h.workflowId, (x) => x.status === 'needs_attention' && x.observedQty === 15 && x.attentionResume?.status === 'deciding');
  await signedUpdate(h, retryUpdate, { actor: actor('lp1', 'loss_prevention'), comment: 'decide the grown pattern' });
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await signedUpdate(h, approveUpdate, { actor: actor('lp2', 'loss_prevention'), reasonCode: 'THEFT' });
  await waitForStatus(engine.client, h.workflowId, ['needs_attention']);
  await signedUpdate(h, resolveManuallyUpdate, { actor: actor('lp2', 'loss_prevention'), reasonCode: 'HOLD_CLEARED', comment: 'the hold was cleared in the WMS by hand' });
  expect(((await h.result()) as CaseState).resolution).toBe('resolved_manually');
  await save('discrepancy-pattern-grew-in-attention', h.workflowId);
});

it('records a receiving recount that finds all the ASN announced against fewer booked: the case is rebased on the books', async () => {
  const site = DEFAULT_RECOUNTS_SITE;
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'DOCK-5', sku, wms: 60, erp: 60 });
  const h = await start({
    kind: 'receiving_variance', site, sku, location: 'DOCK-5', reference: { kind: 'asn', id: uniq('ASN'), line: '1' },
    expectedQty: 100, observedQty: 60, unitCost: 10, skuClass: 'C', source: 'wms', sourceEventIds: [uniq('RCV')], causedBy: ['recv-5'],
  });
  const waiting = await until(h.workflowId, (x) => x.status === 'awaiting_recount' && x.recounts[0] !== undefined);
  await h.signal(countResultSignal, { taskId: waiting.recounts[0].taskId, countedQty: 100, countedBy: 'counter-5', countedAt: new Date().toISOString() });
  const rebased = await until(h.workflowId, (x) => x.status === 'awaiting_approval');
  expect([rebased.expectedQty, rebased.observedQty]).toEqual([60, 100]);
  await signedUpdate(h, approveUpdate, { actor: actor('sup1', 'site_supervisor', site), reasonCode: 'MIS_SCAN' });
  expect(((await h.result()) as CaseState).resolution).toBe('approved_adjusted');
  await save('discrepancy-receiving-recount-miskey', h.workflowId);
});
