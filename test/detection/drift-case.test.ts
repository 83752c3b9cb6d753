import { InventoryEvent } from '../../src/domain';
import { acceptEvent } from '../../src/ingest/event-intake';
import { seedBalance } from '../support/cases';
import { eventually, uniq, type Engine } from '../support/engine';
import { casesAt, seedItem, startDetection, waitForCases } from './support';
import { intakePortsFor, type Api } from '../support/api';

/**
 * A drift case end to end: counts of one bin arrive as events, each inside tolerance, the books
 * never corrected; the fifth makes the CUSUM alarm and a drift case opens through the engine.
 */
let engine: Engine;
let api: Api;
beforeAll(async () => {
  ({ engine, api } = await startDetection());
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

it('opens one drift case naming direction, size and evidence, and later counts of the drift join it', async () => {
  const site = uniq('DR');
  const sku = uniq('SKU');
  await seedItem(engine, sku, 10, 'C');
  await seedBalance(engine.db, { site, location: 'A-01-01', sku, wms: 200, erp: 200 });
  const intake = { db: engine.db, temporal: engine.client, config: engine.config, ...intakePortsFor(engine) };
  const week = (n: number) => new Date(Date.UTC(2026, 10, 2 + 7 * n, 10)).toISOString();
  // one unit lost a week (0.5 % of 200): 199, 198, 197 … all inside class C tolerance
  for (let i = 0; i < 6; i++) {
    const e = InventoryEvent.parse({ eventId: uniq('CNT'), source: 'wms', type: 'count', site, sku, location: 'A-01-01', qty: 199 - i, occurredAt: week(i) });
    await acceptEvent(intake, e);
  }
  const [c] = await waitForCases(engine, site, 'drift');
  expect(c).toMatchObject({ sku, location: 'A-01-01' });
  // a pattern of loss: routed to loss prevention like shrink patterns
  const routed = await eventually(async () => (await engine.db.query(`SELECT owner_role FROM discrepancies WHERE id = $1 AND owner_role IS NOT NULL`, [c.id])).rows[0]);
  expect(routed.owner_role).toBe('loss_prevention');
  const rows = await casesAt(engine, site);
  expect(rows.filter((r) => r.kind === 'drift')).toHaveLength(1);
  expect(rows.filter((r) => r.kind === 'count_variance')).toHaveLength(0);
  const { rows: detail } = await engine.db.query(`SELECT reference->>'id' AS reference_id, state->'report'->>'note' AS note FROM discrepancies WHERE id = $1`, [c.id]);
  expect(detail[0].reference_id).toBe(`drift:A-01-01:${sku}`);
  expect(detail[0].note).toMatch(/^loss drift of about 0\.50 % of stock a week \(1 units\) over \d counts/);
});
