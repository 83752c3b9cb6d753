import { signedUpdate } from '../support/signed-update';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Actor } from '../../src/domain';
import { approveUpdate, stateQuery } from '../../src/workflows/messages';
import { reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

/**
 * Cases go to the right people: the policy routes patterns of loss to loss prevention (and says
 * so on the case), and segregation of duties bars whoever the evidence names as having handled
 * the stock, with the reason in the refusal.
 */
let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

const person = (userId: string, role: string): Actor => ({ userId, roles: [role], sites: ['*'] });
const refusalOf = async (p: Promise<unknown>) => {
  const e = await p.catch((err: unknown) => err);
  expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
  return (e as WorkflowUpdateFailedError).cause as { type?: string; message: string };
};

it('a shrink pattern goes to loss prevention, says why, and only a role on that ladder may decide it', async () => {
  const site = uniq('LP');
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'shrink_pattern', site, sku: uniq('SKU'), location: 'A-09-01', expectedQty: 30, observedQty: 22, unitCost: 20, skuClass: 'B', source: 'wms',
    causedBy: ['u-night-3'], sourceEventIds: [uniq('ADJ')],
  });
  const s = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(s.ownerRole).toBe('loss_prevention');
  expect(s.route).toBe('patterns of loss go to loss prevention');
  const audit = await eventually(async () => (await engine.db.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'approval_requested'`, [s.caseId])).rows[0]);
  expect(audit.detail).toMatchObject({ role: 'loss_prevention', route: 'patterns of loss go to loss prevention' });

  const ic = await refusalOf(signedUpdate(handle, approveUpdate, { actor: person('ic-1', 'inventory_control'), reasonCode: 'THEFT' }));
  expect(ic.type).toBe('RefusalForbidden');
  expect(ic.message).toMatch(/loss_prevention/);
  // the user behind the pattern may not decide it even with the right role
  const own = await refusalOf(signedUpdate(handle, approveUpdate, { actor: person('u-night-3', 'loss_prevention'), reasonCode: 'THEFT' }));
  expect(own.type).toBe('RefusalRefused');
  const ok = await signedUpdate(handle, approveUpdate, { actor: person('lp-1', 'loss_prevention'), reasonCode: 'THEFT' });
  expect(ok.outcome).toMatch(/^approved/);
});

it('whoever the evidence names (the picker of this stock) is refused as approver with the reason; another approver succeeds', async () => {
  const site = uniq('SOD');
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'B-01-01', sku, wms: 40, erp: 40 });
  const pick = uniq('PICK');
  await engine.db.query(
    `INSERT INTO ledger.transactions (id, site, location, sku, type, qty, user_id, occurred_at) VALUES ($1, $2, 'B-01-01', $3, 'pick', -6, 'picker-7', now() - interval '1 hour')`,
    [pick, site, sku],
  );
  // a receipt 10 short at the bin (the suite's policy does not recount receiving variances): straight to an approver
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site, sku, location: 'B-01-01', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 40, observedQty: 30, unitCost: 9, skuClass: 'C', source: 'erp', sourceEventIds: [uniq('RCV')],
  });
  await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  const full = await handle.query(stateQuery, { withEvidence: true });
  expect(full.involvement?.['picker-7']).toMatch(new RegExp(`picked this stock \\(pick ${pick}`));
  expect(full.involvedUsers).toContain('picker-7');
  const refused = await refusalOf(signedUpdate(handle, approveUpdate, { actor: person('picker-7', 'site_supervisor'), reasonCode: 'VENDOR_SHORT' }));
  expect(refused).toMatchObject({ type: 'RefusalRefused' });
  expect(refused.message).toMatch(/^picker-7 picked this stock .* and may not decide this discrepancy$/);
  const ok = await signedUpdate(handle, approveUpdate, { actor: person('sup-2', 'site_supervisor'), reasonCode: 'VENDOR_SHORT' });
  expect(ok.outcome).toMatch(/^approved/);
});

it('a shrink pattern that grows while it waits: the case takes the new quantity and value, is scored again, and the change is audited', async () => {
  const site = uniq('LPG');
  const sku = uniq('SKU');
  const pattern = { kind: 'shrink_pattern' as const, site, sku, reference: { kind: 'other' as const, id: `user:u-night-8` }, unitCost: 20, skuClass: 'B' as const, source: 'reckon-detector', causedBy: ['u-night-8'] };
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, { ...pattern, expectedQty: 2, observedQty: 9, sourceEventIds: [uniq('ADJ')] });
  const first = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(first.assessment?.valueAtRisk).toBe(140);
  // two more unexplained losses by the same user: the detector reports the pattern at 15 units
  await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, { ...pattern, expectedQty: 2, observedQty: 15, sourceEventIds: [uniq('ADJ')] });
  const grown = await eventually(async () => {
    const s = await handle.query(stateQuery, {});
    return s.observedQty === 15 && s.status === 'awaiting_approval' && s.assessment?.valueAtRisk === 260 ? s : undefined;
  });
  expect(grown).toMatchObject({ expectedQty: 2, observedQty: 15, occurrences: 2, ownerRole: 'loss_prevention' });
  const audit = await eventually(async () => {
    const { rows } = await engine.db.query(`SELECT action, detail FROM audit_log WHERE case_id = $1 ORDER BY seq`, [grown.caseId]);
    return rows.some((r) => r.action === 'pattern_grew') && rows.filter((r) => r.action === 'scored').length === 2 ? rows : undefined;
  });
  expect(audit.find((r) => r.action === 'pattern_grew')!.detail).toMatchObject({ before: { expectedQty: 2, observedQty: 9, valueAtRisk: 140 }, after: { expectedQty: 2, observedQty: 15 } });
  expect(audit.filter((r) => r.action === 'scored').at(-1)!.detail).toMatchObject({ valueAtRisk: 260 });
  const row = await eventually(async () => (await engine.db.query(`SELECT observed_qty, value_at_risk FROM discrepancies WHERE id = $1 AND observed_qty = 15`, [grown.caseId])).rows[0]);
  expect(Number(row.value_at_risk)).toBe(260);
  // the approval confirms the cause of a loss the user's own adjustments already booked: posting
  // the pattern's +13 would put the stolen stock back on the books
  const ok = await signedUpdate(handle, approveUpdate, { actor: person('lp-2', 'loss_prevention'), reasonCode: 'THEFT' });
  expect(ok.outcome).toBe('approved; no adjustment to post');
  expect((await handle.result()).resolution).toBe('approved_adjusted');
  expect((await engine.db.query('SELECT count(*)::int AS n FROM ledger.adjustments WHERE site = $1 AND sku = $2', [site, sku])).rows[0].n).toBe(0);
});
