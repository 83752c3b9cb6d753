import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { DEFAULT_POLICY, InventoryEvent } from '../../src/domain';
import { storeEvent } from '../support/store-event';
import { classifySite } from '../../src/planner/abc';
import { loadLocationFeatures } from '../../src/store/location-features';
import { createPool } from '../../src/store/db';
import { seedBalance } from '../support/cases';
import { npmRun } from '../support/npm-cli';

/**
 * ABC classes from Reckon's own history: picks received as events, valued at cost, Pareto at the
 * default 80 / 95 %; a person's override through the CLI wins and survives a recomputation.
 */
const planner = (...args: string[]) => npmRun('planner', args);

let db: Pool;
const tag = randomUUID().slice(0, 6);
const site = `ABC-${tag}`;
const sku = (n: number) => `ABC${tag}-${n}`;
// units picked × unit cost: 8000, 1000, 500, 300, 200 (total 10000); sku 6 never picked
const BIN_OF: Record<number, string> = { 1: 'BIN-1', 2: 'BIN-2', 3: 'BIN-4', 4: 'BIN-3', 5: 'BIN-2' };
const PICKED: [number, number, number][] = [[1, 100, 80], [2, 100, 10], [3, 100, 5], [4, 100, 3], [5, 100, 2]];

beforeAll(async () => {
  db = createPool(loadConfig().DATABASE_URL, 4);
  // the ERP's item master says C for all of them
  for (let n = 1; n <= 6; n++) await db.query(`INSERT INTO ledger.items (sku, unit_cost, sku_class) VALUES ($1, $2, 'C')`, [sku(n), PICKED[n - 1]?.[2] ?? 1]);
  for (const [location, skus] of [['BIN-1', [1]], ['BIN-2', [2, 5]], ['BIN-3', [4, 6]], ['BIN-4', [3]]] as const) {
    for (const n of skus) await seedBalance(db, { site, location, sku: sku(n), wms: 500, erp: 500 });
  }
  const at = new Date(Date.now() - 10 * 86_400_000).toISOString();
  for (const [n, units] of PICKED) {
    // in two picks each, from its bin
    for (const qty of [units / 2, units / 2]) {
      await storeEvent(db, InventoryEvent.parse({ eventId: `P-${randomUUID().slice(0, 12)}`, source: 'wms', type: 'pick', site, sku: sku(n), location: BIN_OF[n], qty, occurredAt: at }));
    }
  }
  // sku 6 never moves: Reckon hears of it at BIN-3 from a count that matches the books
  await storeEvent(db, InventoryEvent.parse({ eventId: `C-${randomUUID().slice(0, 12)}`, source: 'wms', type: 'count', site, sku: sku(6), location: 'BIN-3', qty: 500, occurredAt: at }));
});
afterAll(() => db.end());

const classesOf = async () => Object.fromEntries((await loadLocationFeatures(db, site)).map((b) => [b.location, b.skuClass]));

it('classifies by Pareto on annual usage value; the bin takes its highest class; recomputed at most once a night', async () => {
  expect(await classesOf()).toEqual({ 'BIN-1': 'C', 'BIN-2': 'C', 'BIN-3': 'C', 'BIN-4': 'C' });
  const result = await classifySite(db, site, DEFAULT_POLICY, [sku(6)]);
  expect(result.computed).toBe(true);
  // 8000 of 10000 reaches 80 %: A; then 1000 and 500 up to 95 %: B; the rest C (a year's window: the usage is the annual usage)
  expect(result.classes).toEqual([
    { sku: sku(1), skuClass: 'A', annualUsageValue: 8000 },
    { sku: sku(2), skuClass: 'B', annualUsageValue: 1000 },
    { sku: sku(3), skuClass: 'B', annualUsageValue: 500 },
    { sku: sku(4), skuClass: 'C', annualUsageValue: 300 },
    { sku: sku(5), skuClass: 'C', annualUsageValue: 200 },
    { sku: sku(6), skuClass: 'C', annualUsageValue: 0 },
  ]);
  expect(await classesOf()).toEqual({ 'BIN-1': 'A', 'BIN-2': 'B', 'BIN-3': 'C', 'BIN-4': 'B' });
  expect((await classifySite(db, site, DEFAULT_POLICY, [])).computed).toBe(false);
});

it('a person’s override (CLI) wins over the computed class and survives a recomputation; none clears it', async () => {
  const set = planner('set-class', '--site', site, '--sku', sku(6), '--class', 'A', '--by', 'ic-lead', '--reason', 'recall-sensitive');
  expect(set.status).toBe(0);
  expect(JSON.parse(set.stdout)).toMatchObject({ site, sku: sku(6), overrideClass: 'A', overrideBy: 'ic-lead', overrideReason: 'recall-sensitive' });
  expect((await classesOf())['BIN-3']).toBe('A');
  const recomputed = planner('classify', '--site', site);
  expect(recomputed.status).toBe(0);
  expect(JSON.parse(recomputed.stdout).stored.find((s: { sku: string }) => s.sku === sku(6))).toMatchObject({ computedClass: 'C', overrideClass: 'A' });
  expect((await classesOf())['BIN-3']).toBe('A');
  expect(planner('set-class', '--site', site, '--sku', sku(6), '--class', 'none', '--by', 'ic-lead').status).toBe(0);
  expect((await classesOf())['BIN-3']).toBe('C');
  expect(planner('set-class', '--site', site, '--sku', sku(6), '--class', 'D', '--by', 'x').status).toBe(2);
});
