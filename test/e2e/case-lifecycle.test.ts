import type { CaseState } from '../../src/domain';
import { verifyAuditChains } from '../../src/store/audit-repo';
import { stateQuery } from '../../src/workflows/messages';
import type { Persona } from '../support/api';
import { adjustmentsFor, seedBalance } from '../support/cases';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { eventually, uniq } from '../support/engine';
import { TEST_POLICY } from '../support/test-policy';

const e2e = useEngineWithApi();
const wms = WMS_INTEGRATION;
const caseRow = e2e.caseRow;

async function report(body: Record<string, unknown>): Promise<string> {
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', body);
  expect(res.status).toBe(202);
  return res.body.id as string;
}

describe('automatic resolution', () => {
  it('a count variance inside tolerance posts exactly one adjustment and closes as auto_resolved, audited', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    await seedBalance(e2e.engine.db, { site, location: 'A-01-03', sku, wms: 120, erp: 120 });
    // 2 of 120 at 10 each: inside class B (5 units / 2 %, value 250)
    const id = await report({
      kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118,
      unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['counter1'],
    });
    const row = await caseRow(id);
    expect(row.resolution).toBe('auto_resolved');
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([
      { qty: -2, actor: 'rule:count_within_tolerance', idempotencyKey: `${id}:adjust` },
    ]);
    const audit = (await e2e.engine.db.query('SELECT action, actor_kind, actor_id, policy_version, scorer_version FROM audit_log WHERE case_id = $1 ORDER BY seq', [id])).rows;
    const decided = audit.find((a) => a.action === 'decided');
    expect(decided).toMatchObject({ actor_kind: 'rule', actor_id: 'count_within_tolerance', policy_version: row.policy_version, scorer_version: 'rules-v1' });
    expect(audit.find((a) => a.action === 'adjustment_posted')).toMatchObject({ actor_kind: 'rule' });
    expect((await verifyAuditChains(e2e.engine.db, id)).problems).toEqual([]);
  });

  it('a WMS/ERP difference explained by a receipt not yet posted closes with no adjustment and says why', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const receipt = uniq('RCV');
    await seedBalance(e2e.engine.db, { site, location: 'A-01-03', sku, wms: 60, erp: 36 });
    await e2e.engine.db.query(
      `INSERT INTO ledger.inbound_documents (doc_kind, id, line, site, location, sku, expected_qty, received_qty, posted_to_erp, received_at)
       VALUES ('receipt', $1, '1', $2, 'A-01-03', $3, 24, 24, false, now())`,
      [receipt, site, sku],
    );
    const id = await report({ kind: 'system_mismatch', site, sku, location: 'A-01-03', expectedQty: 36, observedQty: 60, unitCost: 8, source: 'erp' });
    const row = await caseRow(id);
    expect(row.resolution).toBe('auto_resolved');
    expect(row.explanation).toContain(receipt);
    expect(row.explanation).toContain('not yet posted to the ERP');
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);
    const decided = (await e2e.engine.db.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'decided'`, [id])).rows[0];
    expect(decided.detail).toMatchObject({ rule: 'explained_by_unposted_receipt', correction: 'resync', adjustQty: 0 });
  });

  it('a WMS/ERP difference explained by an open allocation closes with no adjustment and says why', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const order = uniq('SO');
    await seedBalance(e2e.engine.db, { site, location: 'B-04-02', sku, wms: 38, erp: 50 });
    await e2e.engine.db.query(
      `INSERT INTO ledger.allocations (id, order_id, site, location, sku, qty, picked_qty, issued_in_erp) VALUES ($1,$2,$3,'B-04-02',$4,12,12,false)`,
      [uniq('AL'), order, site, sku],
    );
    const id = await report({ kind: 'system_mismatch', site, sku, location: 'B-04-02', expectedQty: 50, observedQty: 38, unitCost: 15, source: 'erp' });
    const row = await caseRow(id);
    expect(row.resolution).toBe('auto_resolved');
    expect(row.explanation).toContain(order);
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);
  });
});

describe('recount, then approval through the API', () => {
  it('beyond tolerance: a recount, the count confirms it, an approver approves, exactly one adjustment by that approver', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    await seedBalance(e2e.engine.db, { site, location: 'C-02-01', sku, wms: 100, erp: 100 });
    // 20 of 100 short at 10 each: beyond class C tolerance (10 units / 5 %), value 200 → review
    const id = await report({
      kind: 'count_variance', site, sku, location: 'C-02-01', expectedQty: 100, observedQty: 80,
      unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['counter1'],
    });
    const recounting = await caseRow(id, ['awaiting_recount']);
    expect(recounting.severity).toBe('review');
    const task = await eventually(async () => (await e2e.engine.db.query(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [id])).rows[0]);

    const counted = await (await e2e.api.as(wms)).post('/v1/counts', { taskId: task.id, countedQty: 80, countedBy: 'counter2' });
    expect(counted.status).toBe(202);
    const waiting = await caseRow(id, ['awaiting_approval']);
    expect(waiting.owner_role).toBe(TEST_POLICY.ladders.review.rungs[0].role);

    // the second counter is part of the recount chain: segregation of duties refuses them
    const counter2: Persona = { userId: 'counter2', roles: ['inventory_control'], sites: [site] };
    const selfApproval = await (await e2e.api.as(counter2)).post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' });
    expect(selfApproval.status).toBe(422);
    expect(selfApproval.headers['content-type']).toContain('application/problem+json');
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);

    const approver: Persona = { userId: 'ic-anna', roles: ['inventory_control'], sites: [site] };
    const approved = await (await e2e.api.as(approver)).post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED', comment: 'two counts agree' });
    expect(approved.status).toBe(200);
    const closed = await caseRow(id);
    expect(closed.resolution).toBe('approved_adjusted');
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([{ qty: -20, actor: 'ic-anna', idempotencyKey: `${id}:adjust` }]);
    const audit = (await e2e.engine.db.query(`SELECT actor_kind, actor_id FROM audit_log WHERE case_id = $1 AND action IN ('approved', 'adjustment_posted')`, [id])).rows;
    expect(audit).toEqual([
      { actor_kind: 'user', actor_id: 'ic-anna' },
      { actor_kind: 'user', actor_id: 'ic-anna' },
    ]);
    const timeline = await (await e2e.api.as(approver)).get(`/v1/discrepancies/${id}`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.timeline.map((t: { action: string }) => t.action)).toEqual(
      expect.arrayContaining(['opened', 'count_task_created', 'count_result', 'approval_requested', 'approved', 'adjustment_posted', 'closed']),
    );

    // acting on a closed case is a conflict, and changes nothing
    const late = await (await e2e.api.as(approver)).post(`/v1/discrepancies/${id}/reject`, { reasonCode: 'X', comment: 'too late' });
    expect(late.status).toBe(409);
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toHaveLength(1);
  });
});

describe('authority', () => {
  async function reviewCase(valueUnits: number, unitCost: number) {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const id = await report({
      kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
      expectedQty: 500, observedQty: 500 - valueUnits, unitCost, skuClass: 'A', source: 'erp', causedBy: ['receiver9'],
    });
    await caseRow(id, ['awaiting_approval']);
    return { id, site, sku };
  }

  it('wrong role is 403, wrong site 404 (as an unknown case); the one who caused it is 422; nothing changes', async () => {
    const { id, site, sku } = await reviewCase(10, 10); // value 100
    const viewer = await e2e.api.as({ userId: 'v1', roles: ['viewer'], sites: [site] });
    expect((await viewer.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' })).status).toBe(403);
    const elsewhere = await e2e.api.as({ userId: 'ic-other', roles: ['inventory_control'], sites: ['OTHER-SITE'] });
    expect((await elsewhere.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' })).status).toBe(404);
    // a role that exists but is not on this case's ladder (a role no policy knows gets no key at all)
    const finance = await e2e.api.as({ userId: 'fin1', roles: ['finance'], sites: [site] });
    expect((await finance.post(`/v1/discrepancies/${id}/reject`, { reasonCode: 'NOT_AN_ISSUE', comment: 'x' })).status).toBe(403);
    const causer = await e2e.api.as({ userId: 'receiver9', roles: ['inventory_control'], sites: [site] });
    const own = await causer.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' });
    expect(own.status).toBe(422);
    expect(own.body.detail).toContain('receiver9');
    const live = await e2e.engine.client.workflow.getHandle((await e2e.engine.db.query('SELECT workflow_id FROM discrepancies WHERE id = $1', [id])).rows[0].workflow_id).query(stateQuery, {});
    expect(live.status).toBe('awaiting_approval');
    expect(live.approvals).toEqual([]);
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);
  });

  it('above the four-eyes value one approval does not close the case; a second, different approver does', async () => {
    const { id, site, sku } = await reviewCase(40, 50); // value 2000: over fourEyesAbove 1500
    const sup1 = await e2e.api.as({ userId: 'sup-1', roles: ['site_supervisor'], sites: [site] });
    const sup2 = await e2e.api.as({ userId: 'sup-2', roles: ['site_supervisor'], sites: ['*'] });
    const first = await sup1.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'SHORT_SHIP' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'awaiting_approval', approvalsGiven: 1, approvalsRequired: 2 });
    const again = await sup1.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'SHORT_SHIP' });
    expect(again.status).toBe(422);
    expect((await caseRow(id, ['awaiting_approval'])).status).toBe('awaiting_approval');
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);
    const second = await sup2.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'SHORT_SHIP' });
    expect(second.status).toBe(200);
    const closed = await caseRow(id);
    expect(closed.resolution).toBe('approved_adjusted');
    expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([{ qty: -40, actor: 'sup-2', idempotencyKey: `${id}:adjust` }]);
  });

  it('an inventory controller may not approve above their limit (422) but may reject', async () => {
    const { id } = await reviewCase(30, 40); // value 1200 > inventory_control limit 1000, under four eyes
    const ic = await e2e.api.as({ userId: 'ic-bo', roles: ['inventory_control'], sites: ['*'] });
    const over = await ic.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' });
    expect(over.status).toBe(422);
    const rejected = await ic.post(`/v1/discrepancies/${id}/reject`, { reasonCode: 'VENDOR_CLAIM', comment: 'claim filed with the vendor' });
    expect(rejected.status).toBe(200);
    expect((await caseRow(id)).resolution).toBe('rejected_no_change');
  });
});

describe('dedupe', () => {
  it('50 concurrent identical reports make exactly one case with 50 occurrences', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const body = {
      kind: 'receiving_variance', site, sku, location: 'DOCK-3', reference: { kind: 'asn', id: uniq('ASN'), line: '1' },
      expectedQty: 48, observedQty: 47, unitCost: 2, skuClass: 'C', source: 'erp',
    };
    const client = await e2e.api.as(wms);
    const responses = await Promise.all(Array.from({ length: 50 }, () => client.post('/v1/discrepancies', body)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(202));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const row = await eventually(async () => {
      const r = (await e2e.engine.db.query('SELECT occurrences FROM discrepancies WHERE id = $1', [id])).rows[0];
      return r?.occurrences === 50 ? r : undefined;
    });
    expect(row.occurrences).toBe(50);
    const rows = await e2e.engine.db.query('SELECT count(*)::int AS n FROM discrepancies WHERE site = $1 AND sku = $2', [site, sku]);
    expect(rows.rows[0].n).toBe(1);
    const wf = (await e2e.engine.db.query('SELECT workflow_id FROM discrepancies WHERE id = $1', [id])).rows[0].workflow_id;
    const live: CaseState = await e2e.engine.client.workflow.getHandle(wf).query(stateQuery, {});
    expect(live.occurrences).toBe(50);
  });
});
