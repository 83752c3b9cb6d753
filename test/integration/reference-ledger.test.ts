import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import {
  CountTaskAlreadyDone,
  CountTaskNotFound,
  createReferenceLedger,
  FixtureInvalid,
  getCountTask,
  HoldNotFound,
  LedgerCommandInvalid,
  listBalances,
  loadFixture,
  parseFixture,
  recordCountResult,
  type ReferenceLedger,
} from '../../fake-wms/ledger';
import type { LedgerFixtureInput } from '../../fake-wms/ledger/fixture';
import type { PostAdjustmentCommand, StockKey } from '../../src/adapters/ports';
import { loadConfig } from '../../src/config';
import { scoreDiscrepancy, type Evidence } from '../../src/domain';
import { createPool } from '../../src/store/db';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LONG_AGO = '2000-01-01T00:00:00Z';

let pool: Pool;
let ledger: ReferenceLedger;
const committed: string[] = [];

/** Unique names per test: test files share one database and run in parallel. */
function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function adjustment(key: StockKey, overrides: Partial<PostAdjustmentCommand> = {}): PostAdjustmentCommand {
  return { ...key, qty: -3, target: 'both', reasonCode: 'COUNT', caseId: unique('case'), actor: 'u-approver', idempotencyKey: unique('key'), ...overrides };
}

async function rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  return (await pool.query(sql, params)).rows;
}

/** A small fixture of one bin with both views, under fresh names. */
function binFixture(site: string, sku: string, location: string, wmsQty: number, erpQty: number): LedgerFixtureInput {
  return {
    items: [{ sku, skuClass: 'B', unitCost: 12.5 }],
    locations: [{ site, location, zone: 'A' }],
    balances: [{ site, location, sku, wmsQty, erpQty }],
  };
}

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 10);
  ledger = createReferenceLedger(pool, { onAdjustmentCommitted: (id) => committed.push(id) });
});

afterAll(async () => {
  await pool.end();
});

describe('postAdjustment', () => {
  it('posts once per idempotency key and moves both views once', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'A-01-01' };
    await loadFixture(pool, parseFixture(binFixture(key.site, key.sku, key.location, 40, 40)));
    const cmd = adjustment(key);

    const first = await ledger.wms.postAdjustment(cmd);
    const second = await ledger.wms.postAdjustment(cmd);

    expect(first.replayed).toBe(false);
    expect(second).toEqual({ adjustmentId: first.adjustmentId, replayed: true });
    expect(committed.filter((id) => id === first.adjustmentId)).toHaveLength(1);
    expect(await rows('SELECT id FROM ledger.adjustments WHERE idempotency_key = $1', [cmd.idempotencyKey])).toHaveLength(1);
    expect(await ledger.wms.getBalance(key)).toEqual({ qty: 37, heldQty: 0 });
    expect(await ledger.erp.getOnHand(key)).toEqual({ qty: 37 });

    const tx = await ledger.wms.listTransactions(key, LONG_AGO);
    expect(tx).toEqual([{ id: first.adjustmentId, type: 'adjustment', qty: -3, userId: 'u-approver', occurredAt: expect.stringMatching(ISO), postedToErp: true }]);
    const adjustments = await ledger.wms.listAdjustments(key, LONG_AGO);
    expect(adjustments).toEqual([{ id: first.adjustmentId, qty: -3, userId: 'u-approver', reasonCode: 'COUNT', occurredAt: tx[0].occurredAt }]);
  });

  it('lands exactly once under 20 concurrent calls with one key', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'B-02-02' };
    const cmd = adjustment(key, { qty: 5 });

    const results = await Promise.all(Array.from({ length: 20 }, () => ledger.wms.postAdjustment(cmd)));

    expect(new Set(results.map((r) => r.adjustmentId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(committed.filter((id) => id === results[0].adjustmentId)).toHaveLength(1);
    expect(await rows('SELECT id FROM ledger.adjustments WHERE site = $1', [key.site])).toHaveLength(1);
    expect(await rows('SELECT id FROM ledger.transactions WHERE site = $1', [key.site])).toHaveLength(1);
    // the balance did not exist: the adjustment created it
    expect(await ledger.wms.getBalance(key)).toEqual({ qty: 5, heldQty: 0 });
    expect(await ledger.erp.getOnHand(key)).toEqual({ qty: 5 });
  });

  it('with target erp resyncs the ERP view only', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'C-03-03' };
    await loadFixture(pool, parseFixture(binFixture(key.site, key.sku, key.location, 60, 36)));

    const result = await ledger.wms.postAdjustment(adjustment(key, { qty: 24, target: 'erp', reasonCode: 'RESYNC' }));

    expect(result.replayed).toBe(false);
    expect(await ledger.wms.getBalance(key)).toEqual({ qty: 60, heldQty: 0 });
    expect(await ledger.erp.getOnHand(key)).toEqual({ qty: 60 });
    const [row] = await rows('SELECT target, reason_code FROM ledger.adjustments WHERE id = $1', [result.adjustmentId]);
    expect(row).toEqual({ target: 'erp', reason_code: 'RESYNC' });
  });

  it('refuses a zero quantity without writing', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'A-01-01' };
    await expect(ledger.wms.postAdjustment(adjustment(key, { qty: 0 }))).rejects.toBeInstanceOf(LedgerCommandInvalid);
    expect(await ledger.wms.getBalance(key)).toBeNull();
  });
});

describe('holds', () => {
  it('place once per key, release once', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'A-05-01' };
    await loadFixture(pool, parseFixture(binFixture(key.site, key.sku, key.location, 10, 10)));
    const place = { ...key, qty: 4, reason: 'critical variance', caseId: unique('case'), idempotencyKey: unique('hold') };

    const placed = await ledger.wms.placeHold(place);
    const again = await ledger.wms.placeHold(place);
    expect(placed.replayed).toBe(false);
    expect(again).toEqual({ holdId: placed.holdId, replayed: true });
    expect(await ledger.wms.getBalance(key)).toEqual({ qty: 10, heldQty: 4 });

    const release = { holdId: placed.holdId, idempotencyKey: unique('release') };
    expect(await ledger.wms.releaseHold(release)).toEqual({ released: true });
    expect(await ledger.wms.releaseHold(release)).toEqual({ released: true });
    expect(await ledger.wms.releaseHold({ holdId: placed.holdId, idempotencyKey: unique('other') })).toEqual({ released: false });
    expect(await ledger.wms.getBalance(key)).toEqual({ qty: 10, heldQty: 0 });
  });

  it('refuses to release a hold that does not exist', async () => {
    await expect(ledger.wms.releaseHold({ holdId: 'HLD-missing', idempotencyKey: unique('k') })).rejects.toBeInstanceOf(HoldNotFound);
  });
});

describe('count tasks', () => {
  it('creates a task once, records one result, and keeps it in the count history', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'D-01-01' };
    const caseId = unique('case');
    const create = { ...key, caseId, reason: 'recount before approval', idempotencyKey: unique('count') };

    const task = await ledger.wms.createCountTask(create);
    expect(await ledger.wms.createCountTask(create)).toEqual({ taskId: task.taskId, replayed: true });
    expect(await getCountTask(pool, task.taskId)).toEqual({ taskId: task.taskId, caseId, ...key, status: 'open' });

    const result = { taskId: task.taskId, countedQty: 37, countedBy: 'u31', countedAt: '2026-11-21T22:10:00Z' };
    const recorded = await recordCountResult(pool, result);
    expect(recorded).toEqual({ ...result, countedAt: '2026-11-21T22:10:00.000Z', caseId, ...key, replayed: false });
    expect(await getCountTask(pool, task.taskId)).toMatchObject({ status: 'done' });

    expect(await recordCountResult(pool, { ...result, countedBy: 'u99' })).toEqual({ ...recorded, replayed: true });
    const conflict = recordCountResult(pool, { ...result, countedQty: 38 });
    await expect(conflict).rejects.toBeInstanceOf(CountTaskAlreadyDone);
    await expect(conflict).rejects.toMatchObject({ storedQty: 37, offeredQty: 38 });

    expect(await ledger.wms.listCountHistory(key, LONG_AGO)).toEqual([
      { taskId: task.taskId, countedQty: 37, countedBy: 'u31', countedAt: '2026-11-21T22:10:00.000Z' },
    ]);
    // a count is evidence; it does not move the balance
    expect(await ledger.wms.getBalance(key)).toBeNull();
  });

  it('records one result when two arrive together', async () => {
    const key = { site: unique('S'), sku: unique('SKU'), location: 'D-01-02' };
    const { taskId } = await ledger.wms.createCountTask({ ...key, caseId: unique('case'), reason: 'r', idempotencyKey: unique('count') });
    const result = { taskId, countedQty: 12, countedBy: 'u31', countedAt: '2026-11-21T22:10:00Z' };
    const both = await Promise.all([recordCountResult(pool, result), recordCountResult(pool, result)]);
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(await rows('SELECT id FROM ledger.counts WHERE task_id = $1', [taskId])).toHaveLength(1);
  });

  it('reports unknown tasks', async () => {
    expect(await getCountTask(pool, 'CT-missing')).toBeNull();
    await expect(recordCountResult(pool, { taskId: 'CT-missing', countedQty: 1, countedBy: 'u1', countedAt: '2026-11-21T22:10:00Z' })).rejects.toBeInstanceOf(
      CountTaskNotFound,
    );
  });
});

describe('notifier', () => {
  it('stores one notification per key', async () => {
    const n = { role: 'site_supervisor', site: unique('S'), caseId: unique('case'), subject: 'SLA breached', body: 'escalated', idempotencyKey: unique('n') };
    const first = await ledger.notifier.notify(n);
    const again = await ledger.notifier.notify(n);
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ notificationId: first.notificationId, replayed: true });
    expect(await rows('SELECT id FROM ledger.notifications WHERE case_id = $1', [n.caseId])).toHaveLength(1);
  });
});

describe('fixtures', () => {
  /** The demo fixture under fresh site, sku and document names, so it can load beside others. */
  function demoUnderFreshNames(): { text: string; dc1: string; dc2: string; sku: (s: string) => string; id: (s: string) => string } {
    const run = randomUUID().slice(0, 6);
    const original = readFileSync(join(__dirname, '..', '..', 'fixtures', 'demo.json'), 'utf8');
    const dc1 = `DC1-${run}`;
    const dc2 = `DC2-${run}`;
    const text = original
      .replace(/"DC1"/g, `"${dc1}"`)
      .replace(/"DC2"/g, `"${dc2}"`)
      .replace(/"(SKU|WMS|ALLOC|SO|PO|ASN|RCV|TR|RMA|CNT)-([^"]+)"/g, `"$1-${run}-$2"`);
    return { text, dc1, dc2, sku: (s) => s.replace('SKU-', `SKU-${run}-`), id: (s) => s.replace(/^([A-Z]+)-/, `$1-${run}-`) };
  }

  it('accepts the demo fixture as shipped', () => {
    const f = parseFixture(readFileSync(join(__dirname, '..', '..', 'fixtures', 'demo.json'), 'utf8'));
    expect(f.items.length).toBeGreaterThan(0);
    expect(f.balances.some((b) => b.wmsQty !== b.erpQty)).toBe(true);
  });

  it('loading the same file twice changes nothing the second time', async () => {
    const demo = demoUnderFreshNames();
    const first = await loadFixture(pool, parseFixture(demo.text));
    expect(first.balances).toEqual({ inserted: 8, updated: 0, unchanged: 0 });
    expect(first.transactions.inserted).toBe(6);
    const snapshot = await listBalances(pool, { site: demo.dc1 });

    const second = await loadFixture(pool, parseFixture(demo.text));
    for (const section of Object.values(second)) expect(section).toMatchObject({ inserted: 0, updated: 0 });
    expect(await listBalances(pool, { site: demo.dc1 })).toEqual(snapshot);
  });

  it('updates changed rows on reload and keeps held stock when heldQty is left out', async () => {
    const site = unique('S');
    const sku = unique('SKU');
    await loadFixture(pool, parseFixture(binFixture(site, sku, 'A-01-01', 10, 10)));
    await ledger.wms.placeHold({ site, sku, location: 'A-01-01', qty: 2, reason: 'r', caseId: unique('case'), idempotencyKey: unique('hold') });

    const summary = await loadFixture(pool, parseFixture(binFixture(site, sku, 'A-01-01', 11, 10)));
    expect(summary.balances).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(summary.items).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(await ledger.wms.getBalance({ site, sku, location: 'A-01-01' })).toEqual({ qty: 11, heldQty: 2 });
  });

  it('rejects a bad fixture naming the failing paths', () => {
    const bad = {
      items: [{ sku: 'X-1', skuClass: 'D', unitCost: '3' }],
      balances: [{ site: 'DC1', location: 'A-01', sku: 'X-1', wmsQty: 1, erpQty: 1, wms_qty: 2 }],
      transactions: [{ id: 'T-1', site: 'DC1', sku: 'X-1', type: 'adjustment', qty: 1, occurredAt: 'yesterday' }],
      allocations: [
        { id: 'A-1', orderId: 'SO-1', site: 'DC1', sku: 'X-1', qty: 1, pickedQty: 2 },
        { id: 'A-1', orderId: 'SO-2', site: 'DC1', sku: 'X-1', qty: 1 },
      ],
    };
    let error: unknown;
    try {
      parseFixture(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FixtureInvalid);
    const paths = (error as FixtureInvalid).problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'items[0].skuClass',
        'items[0].unitCost',
        'balances[0].wms_qty',
        'transactions[0].occurredAt',
        'transactions[0].reasonCode',
        'allocations[0].pickedQty',
        'allocations[1].id',
      ]),
    );
    expect((error as FixtureInvalid).message).toContain('balances[0].wms_qty: unknown field');
  });

  it('rejects unknown skus and bins by path and writes nothing', async () => {
    const site = unique('S');
    const sku = unique('SKU');
    const fixture = parseFixture({
      items: [{ sku, skuClass: 'A', unitCost: 5 }],
      locations: [{ site, location: 'A-01-01' }],
      balances: [
        { site, location: 'A-01-01', sku, wmsQty: 1, erpQty: 1 },
        { site, location: 'Z-99', sku: `${sku}-typo`, wmsQty: 1, erpQty: 1 },
      ],
    });
    const load = loadFixture(pool, fixture);
    await expect(load).rejects.toBeInstanceOf(FixtureInvalid);
    await expect(load).rejects.toMatchObject({
      problems: [
        { path: 'balances[1].sku', message: expect.stringContaining('unknown sku') },
        { path: 'balances[1].location', message: expect.stringContaining('unknown location Z-99') },
      ],
    });
    expect(await rows('SELECT sku FROM ledger.items WHERE sku = $1', [sku])).toHaveLength(0);
  });

  it('accepts skus and bins the ledger already knows', async () => {
    const site = unique('S');
    const sku = unique('SKU');
    await loadFixture(pool, parseFixture(binFixture(site, sku, 'A-01-01', 1, 1)));
    const later = await loadFixture(pool, parseFixture({ balances: [{ site, location: 'A-01-01', sku, wmsQty: 2, erpQty: 2 }] }));
    expect(later.balances.updated).toBe(1);
  });

  describe('evidence reads over the demo fixture', () => {
    const demo = demoUnderFreshNames();
    const sku = demo.sku;
    beforeAll(async () => {
      await loadFixture(pool, parseFixture(demo.text));
    });

    async function evidenceFor(key: StockKey, reference?: { kind: string; id: string }): Promise<Evidence> {
      const [wmsBalance, erpOnHand, openAllocations, inbound, transfersInTransit, returnsPending, recentTransactions, recentAdjustments, countHistory] =
        await Promise.all([
          ledger.wms.getBalance(key),
          ledger.erp.getOnHand(key),
          ledger.erp.listOpenAllocations(key),
          ledger.erp.listInboundDocuments(key, reference),
          ledger.erp.listTransfersInTransit(key),
          ledger.wms.listReturnsPending(key),
          ledger.wms.listTransactions(key, LONG_AGO),
          ledger.wms.listAdjustments(key, LONG_AGO),
          ledger.wms.listCountHistory(key, LONG_AGO),
        ]);
      return { wmsBalance, erpOnHand, openAllocations, inbound, transfersInTransit, returnsPending, recentTransactions, recentAdjustments, countHistory, missing: [] };
    }

    function mismatchScore(e: Evidence) {
      return scoreDiscrepancy({
        kind: 'system_mismatch',
        expectedQty: e.erpOnHand!.qty,
        observedQty: e.wmsBalance!.qty,
        unitCost: 10,
        sourceEventIds: [],
        recounts: [],
        evidence: e,
      });
    }

    it('the unposted receipt on ASN-889 explains WMS 60 vs ERP 36', async () => {
      const key = { site: demo.dc1, sku: sku('SKU-123'), location: 'A-01-03' };
      const e = await evidenceFor(key, { kind: 'asn', id: demo.id('ASN-889') });
      expect(e.wmsBalance).toEqual({ qty: 60, heldQty: 0 });
      expect(e.erpOnHand).toEqual({ qty: 36 });
      expect(e.inbound).toEqual([
        { docKind: 'asn', id: demo.id('ASN-889'), line: '3', expectedQty: 24, receivedQty: 24, postedToErp: false, receivedAt: '2026-11-22T08:15:00.000Z' },
        { docKind: 'receipt', id: demo.id('RCV-5521'), line: '1', expectedQty: 24, receivedQty: 24, postedToErp: false, receivedAt: '2026-11-22T08:15:00.000Z' },
      ]);
      expect(e.recentTransactions).toEqual([
        { id: demo.id('WMS-778812'), type: 'receipt', qty: 24, userId: 'u17', occurredAt: '2026-11-22T08:15:00.000Z', postedToErp: false },
      ]);
      expect(e.countHistory).toEqual([{ countedQty: 36, countedBy: 'u31', countedAt: '2026-11-15T22:20:00.000Z' }]);
      expect(mismatchScore(e)).toMatchObject({ fullyExplained: true, candidateRule: 'explained_by_unposted_receipt' });

      // without a reference only the unposted receipt at the bin is evidence
      expect((await ledger.erp.listInboundDocuments(key)).map((d) => d.id)).toEqual([demo.id('RCV-5521')]);
    });

    it('the picked, unissued allocation explains WMS 38 vs ERP 50', async () => {
      const e = await evidenceFor({ site: demo.dc1, sku: sku('SKU-310'), location: 'B-04-02' });
      expect(e.openAllocations).toEqual([
        { id: demo.id('ALLOC-7001'), orderId: demo.id('SO-44120'), qty: 12, pickedQty: 12, issuedInErp: false },
        { id: demo.id('ALLOC-7002'), orderId: demo.id('SO-44133'), qty: 6, pickedQty: 0, issuedInErp: false },
      ]);
      expect(mismatchScore(e)).toMatchObject({ fullyExplained: true, candidateRule: 'explained_by_open_allocation' });
    });

    it('transfers in transit read as outbound at the source and inbound at the destination', async () => {
      const e = await evidenceFor({ site: demo.dc1, sku: sku('SKU-522'), location: 'A-02-01' });
      const transfer = {
        id: demo.id('TR-3301'),
        fromSite: demo.dc1,
        toSite: demo.dc2,
        qty: 5,
        shippedAt: '2026-11-20T14:05:00.000Z',
        eta: '2026-11-21T18:00:00.000Z',
        receivedInWms: false,
      };
      expect(e.transfersInTransit).toEqual([{ ...transfer, direction: 'outbound' }]);
      expect(mismatchScore(e)).toMatchObject({ fullyExplained: true, candidateRule: 'explained_by_transfer_in_transit' });
      expect(await ledger.erp.listTransfersInTransit({ site: demo.dc2, sku: sku('SKU-522') })).toEqual([{ ...transfer, direction: 'inbound' }]);
      expect(await ledger.erp.listTransfersInTransit({ site: demo.dc2, sku: sku('SKU-522'), location: 'A-01-01' })).toEqual([]);
    });

    it('the return without disposition explains WMS 10 vs ERP 0', async () => {
      const e = await evidenceFor({ site: demo.dc1, sku: sku('SKU-204'), location: 'RTN-01' });
      expect(e.returnsPending).toEqual([{ id: demo.id('RMA-2207'), qty: 10, receivedAt: '2026-11-21T10:30:00.000Z', dispositioned: false }]);
      expect(mismatchScore(e)).toMatchObject({ fullyExplained: true, candidateRule: 'explained_by_return_without_disposition' });
    });

    it('the count-variance bin agrees across systems and has the count, picks and a manual adjustment', async () => {
      const key = { site: demo.dc1, sku: sku('SKU-415'), location: 'C-10-05' };
      const e = await evidenceFor(key);
      expect(e.wmsBalance).toEqual({ qty: 40, heldQty: 0 });
      expect(e.erpOnHand).toEqual({ qty: 40 });
      expect(e.countHistory).toEqual([{ countedQty: 37, countedBy: 'u31', countedAt: '2026-11-21T22:10:00.000Z' }]);
      expect(e.recentTransactions!.map((t) => t.type)).toEqual(['pick', 'adjustment']);
      expect(e.recentAdjustments).toEqual([
        { id: demo.id('WMS-775120'), qty: -2, userId: 'u31', reasonCode: 'DAMAGED', occurredAt: '2026-11-16T21:40:00.000Z' },
      ]);
      // `since` bounds the history
      expect(await ledger.wms.listTransactions(key, '2026-11-18T00:00:00Z')).toHaveLength(1);
    });

    it('site-level reads sum over the bins', async () => {
      expect(await ledger.wms.getBalance({ site: demo.dc1, sku: sku('SKU-204') })).toEqual({ qty: 250, heldQty: 0 });
      expect(await ledger.erp.getOnHand({ site: demo.dc1, sku: sku('SKU-204') })).toEqual({ qty: 240 });
      expect(await ledger.erp.getOnHand({ site: demo.dc1, sku: 'SKU-none' })).toBeNull();
    });
  });
});
