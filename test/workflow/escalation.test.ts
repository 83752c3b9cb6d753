import { signedUpdate } from '../support/signed-update';
import { escalationLevelKey, ownerRoleKey, statusKey } from '../../src/workflows/search-attributes';
import { TEST_POLICY } from '../support/test-policy';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import type { CaseState } from '../../src/domain';
import { approveUpdate, stateQuery } from '../../src/workflows/messages';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

it('with nobody acting, a high case climbs the ladder rung by rung; the terminal action holds the stock and leaves it to the paged role', async () => {
  const site = uniq('S');
  const sku = uniq('SKU');
  const ladder = TEST_POLICY.ladders.high;
  // 60 units short at 50 each: 3000 at risk, above highFromValue (2500), not recountable (receiving)
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 120, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'erp',
  });
  const first = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(first.severity).toBe('high');
  expect(first.ownerRole).toBe(ladder.rungs[0].role);

  // rung 2: the read model and the search attributes both show the new owner and level
  const row = await eventually(async () => {
    const r = (await engine.db.query('SELECT escalation_level, owner_role, breached FROM discrepancies WHERE id = $1', [first.caseId])).rows[0];
    return r?.escalation_level === 1 ? r : undefined;
  });
  expect(row).toEqual({ escalation_level: 1, owner_role: ladder.rungs[1].role, breached: true });
  const sa = (await handle.describe()).typedSearchAttributes;
  expect(sa.get(escalationLevelKey)).toBe(1);
  expect(sa.get(ownerRoleKey)).toBe(ladder.rungs[1].role);

  // hold_and_page: the stock is held and the case stays open for the paged role, with no further SLA
  const terminal = await eventually(async () => {
    const s = await handle.query(stateQuery, {});
    const paged = await engine.db.query(`SELECT 1 FROM in_app_notifications WHERE case_id = $1 AND subject LIKE 'PAGE:%'`, [first.caseId]);
    return s.escalationLevel === ladder.rungs.length && s.hold && paged.rowCount ? s : undefined;
  }, 60_000);
  expect(terminal).toMatchObject({ status: 'awaiting_approval', ownerRole: ladder.terminal.role, breached: true, hold: { released: false } });
  expect(terminal.slaDeadline).toBeUndefined();

  const notified = await engine.db.query('SELECT role, subject FROM in_app_notifications WHERE case_id = $1 ORDER BY created_at', [first.caseId]);
  expect(notified.rows.map((r) => r.role)).toEqual([ladder.rungs[0].role, ladder.rungs[1].role, ladder.terminal.role]);
  const held = await engine.db.query('SELECT qty, released_at FROM ledger.holds WHERE case_id = $1', [first.caseId]);
  expect(held.rows).toHaveLength(1);
  expect(Number(held.rows[0].qty)).toBe(60);
  expect(held.rows[0].released_at).toBeNull();

  // the paged role decides (3,000 is above four eyes: two of them); the hold goes with the close
  for (const userId of ['om-a', 'om-b']) {
    await signedUpdate(handle, approveUpdate, { actor: { userId, roles: [ladder.terminal.role], sites: ['*'] }, reasonCode: 'SHORT_SHIP' });
  }
  const final = (await handle.result()) as CaseState;
  expect(final).toMatchObject({ resolution: 'approved_adjusted', hold: { released: true } });
  const released = await engine.db.query('SELECT released_at FROM ledger.holds WHERE case_id = $1', [first.caseId]);
  expect(released.rows[0].released_at).not.toBeNull();

  const audit = await engine.db.query('SELECT action FROM audit_log WHERE case_id = $1 ORDER BY seq', [first.caseId]);
  const actions = audit.rows.map((r) => r.action);
  expect(actions.filter((a) => a === 'sla_breached')).toHaveLength(ladder.rungs.length);
  expect(actions).toEqual(expect.arrayContaining(['approval_requested', 'escalated', 'hold_placed', 'terminal_action', 'hold_released', 'closed']));
  expect((await handle.describe()).typedSearchAttributes.get(statusKey)).toBe('closed');
});
