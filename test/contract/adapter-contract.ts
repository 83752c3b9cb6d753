import { randomUUID } from 'node:crypto';
import { AdapterRejection } from '../../src/adapters/errors';
import type { MasterDataPort } from '../../src/adapters/http';
import type { ErpPort, NotifierPort, StockKey, WmsPort } from '../../src/adapters/ports';
import type { LedgerFixtureInput } from '../../fake-wms/ledger/fixture-schema';

/**
 * The adapter contract (docs/adapters.md) as a suite any implementation of the ports can run:
 * give it the ports and a way to load a ledger fixture (docs/ledger-fixture.md) into the system
 * under test. It asserts only what the ports promise, so it runs the same against the reference
 * ledger in-process, over HTTP, or against a customer's sandbox behind the http adapter.
 */
export interface ContractTarget {
  wms: WmsPort;
  erp: ErpPort;
  notifier: NotifierPort;
  masterData?: MasterDataPort;
  /** puts the fixture's stock and documents into the system under test */
  seed(fixture: LedgerFixtureInput): Promise<void>;
  close(): Promise<void>;
}

const tag = () => randomUUID().slice(0, 8);
const HOUR = 3_600_000;
const ago = (h: number) => new Date(Date.now() - h * HOUR).toISOString();

/** A bin whose WMS is 24 ahead of the ERP, with one document of every kind the evidence reads. */
function stockFixture(site: string, sku: string, bin: string, t: string): LedgerFixtureInput {
  return {
    items: [{ sku, description: 'contract item', skuClass: 'B', unitCost: 12.5, uom: 'EA' }],
    locations: [
      { site, location: bin, zone: 'A' },
      { site, location: 'DOCK' },
    ],
    balances: [{ site, location: bin, sku, wmsQty: 60, erpQty: 36 }],
    transactions: [
      { id: `RCV-TX-${t}`, site, location: bin, sku, type: 'receipt', qty: 24, userId: 'u17', occurredAt: ago(2), postedToErp: false },
      { id: `ADJ-TX-${t}`, site, location: bin, sku, type: 'adjustment', qty: -1, userId: 'u31', occurredAt: ago(3), reasonCode: 'DAMAGED', postedToErp: true },
      { id: `OLD-TX-${t}`, site, location: bin, sku, type: 'pick', qty: -5, occurredAt: ago(24 * 90), postedToErp: true },
    ],
    allocations: [{ id: `AL-${t}`, orderId: `SO-${t}`, site, location: bin, sku, qty: 12, pickedQty: 12 }],
    inboundDocuments: [
      { docKind: 'asn', id: `ASN-${t}`, line: '3', site, location: 'DOCK', sku, expectedQty: 24, receivedQty: 24, receivedAt: ago(2) },
      { docKind: 'receipt', id: `RCV-${t}`, line: '1', site, location: bin, sku, expectedQty: 24, receivedQty: 24, postedToErp: false, receivedAt: ago(2) },
    ],
    transfers: [{ id: `TR-${t}`, sku, fromSite: site, fromLocation: bin, toSite: `${site}-B`, qty: 5, shippedAt: ago(30), eta: ago(6) }],
    returns: [{ id: `RMA-${t}`, site, location: bin, sku, qty: 2, receivedAt: ago(5) }],
    counts: [{ id: `CNT-${t}`, site, location: bin, sku, countedQty: 36, countedBy: 'u31', countedAt: ago(48) }],
  };
}

async function rejection(p: Promise<unknown>): Promise<AdapterRejection> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdapterRejection);
  return err as AdapterRejection;
}

export interface ContractOptions {
  /** the target serves item and location master data (`masterData` is set) */
  masterData?: boolean;
}

export function runAdapterContract(name: string, makeTarget: () => Promise<ContractTarget>, options: ContractOptions = { masterData: true }): void {
  describe(`adapter contract: ${name}`, () => {
    let target: ContractTarget;
    beforeAll(async () => {
      target = await makeTarget();
    });
    afterAll(async () => {
      await target?.close();
    });

    /** a fresh bin with 100 in both views, for writes */
    async function freshStock(): Promise<StockKey & { location: string }> {
      const key = { site: `CT-${tag()}`, sku: `SKU-${tag()}`, location: 'A-01-01' };
      await target.seed({
        items: [{ sku: key.sku, skuClass: 'C', unitCost: 1 }],
        locations: [{ site: key.site, location: key.location }],
        balances: [{ ...key, wmsQty: 100, erpQty: 100 }],
      });
      return key;
    }

    describe('reads return the documented shapes', () => {
      const t = tag();
      const site = `CT-${t}`;
      const sku = `SKU-${t}`;
      const key = { site, sku, location: 'A-01-03' };
      beforeAll(async () => {
        await target.seed(stockFixture(site, sku, key.location, t));
      });

      it('balances: the WMS view with held stock, the ERP on-hand', async () => {
        expect(await target.wms.getBalance(key)).toEqual({ qty: 60, heldQty: 0 });
        expect(await target.erp.getOnHand(key)).toEqual({ qty: 36 });
      });

      it('a site-level key (no location) answers for the whole site', async () => {
        expect(await target.wms.getBalance({ site, sku })).toEqual({ qty: 60, heldQty: 0 });
        expect(await target.erp.getOnHand({ site, sku })).toEqual({ qty: 36 });
      });

      it('transactions and adjustments since a time, newest first, older ones left out', async () => {
        const since = ago(24 * 30);
        expect(await target.wms.listTransactions(key, since)).toEqual([
          { id: `RCV-TX-${t}`, type: 'receipt', qty: 24, userId: 'u17', occurredAt: expect.any(String), postedToErp: false },
          { id: `ADJ-TX-${t}`, type: 'adjustment', qty: -1, userId: 'u31', occurredAt: expect.any(String), postedToErp: true },
        ]);
        expect(await target.wms.listAdjustments(key, since)).toEqual([
          { id: `ADJ-TX-${t}`, qty: -1, userId: 'u31', reasonCode: 'DAMAGED', occurredAt: expect.any(String) },
        ]);
        const [tx] = await target.wms.listTransactions(key, since);
        expect(Number.isNaN(Date.parse(tx.occurredAt))).toBe(false);
      });

      it('count history and returns without a disposition', async () => {
        expect(await target.wms.listCountHistory(key, ago(24 * 30))).toEqual([{ countedQty: 36, countedBy: 'u31', countedAt: expect.any(String) }]);
        expect(await target.wms.listReturnsPending(key)).toEqual([{ id: `RMA-${t}`, qty: 2, receivedAt: expect.any(String), dispositioned: false }]);
      });

      it('open allocations, inbound documents (the referenced one and unposted receipts), transfers in transit', async () => {
        expect(await target.erp.listOpenAllocations(key)).toEqual([{ id: `AL-${t}`, orderId: `SO-${t}`, qty: 12, pickedQty: 12, issuedInErp: false }]);
        const docs = await target.erp.listInboundDocuments(key, { kind: 'asn', id: `ASN-${t}` });
        expect(docs).toHaveLength(2);
        expect(docs).toEqual(
          expect.arrayContaining([
            { docKind: 'asn', id: `ASN-${t}`, line: '3', expectedQty: 24, receivedQty: 24, postedToErp: false, receivedAt: expect.any(String) },
            { docKind: 'receipt', id: `RCV-${t}`, line: '1', expectedQty: 24, receivedQty: 24, postedToErp: false, receivedAt: expect.any(String) },
          ]),
        );
        expect(await target.erp.listInboundDocuments(key)).toEqual([expect.objectContaining({ docKind: 'receipt', id: `RCV-${t}` })]);
        expect(await target.erp.listTransfersInTransit(key)).toEqual([
          { id: `TR-${t}`, fromSite: site, toSite: `${site}-B`, qty: 5, shippedAt: expect.any(String), eta: expect.any(String), direction: 'outbound', receivedInWms: false },
        ]);
        expect(await target.erp.listTransfersInTransit({ site: `${site}-B`, sku })).toEqual([expect.objectContaining({ id: `TR-${t}`, direction: 'inbound' })]);
      });
    });

    describe('stock snapshots (reconciliation)', () => {
      it('page through a site in sku byte order, bins summed, each system its own view; the last page has no next', async () => {
        const site = `CT-${tag()}`;
        const skus = ['B-2', 'a-1', 'B-10', 'C-3', 'B-1'];
        await target.seed({
          items: skus.map((sku) => ({ sku, skuClass: 'C', unitCost: 2 })),
          locations: [{ site, location: 'A-01' }, { site, location: 'A-02' }],
          balances: skus.flatMap((sku, i) => [
            { site, location: 'A-01', sku, wmsQty: 10 + i, erpQty: 10 },
            { site, location: 'A-02', sku, wmsQty: 1, erpQty: 1 },
          ]),
        });
        const pages = [];
        let after: string | undefined;
        do {
          const page = await target.wms.stockSnapshot({ site, after, limit: 2 });
          expect(Date.parse(page.takenAt)).not.toBeNaN();
          pages.push(page.items.map((x) => `${x.sku}=${x.qty}`));
          after = page.next;
        } while (after !== undefined);
        expect(pages).toEqual([['B-1=15', 'B-10=13'], ['B-2=11', 'C-3=14'], ['a-1=12']]);
        const erp = await target.erp.stockSnapshot({ site, limit: 10 });
        expect(erp.items.map((x) => `${x.sku}=${x.qty}`)).toEqual(['B-1=11', 'B-10=11', 'B-2=11', 'C-3=11', 'a-1=11']);
        expect(erp.next).toBeUndefined();
        expect((await target.wms.stockSnapshot({ site: `CT-${tag()}`, limit: 10 })).items).toEqual([]);
      });
    });

    describe('unknown stock', () => {
      const key = { site: `CT-${tag()}`, sku: `NOPE-${tag()}`, location: 'Z-99' };
      it('a balance nobody has is null, not zero; lists are empty', async () => {
        expect(await target.wms.getBalance(key)).toBeNull();
        expect(await target.erp.getOnHand(key)).toBeNull();
        const since = ago(24 * 365);
        const lists = await Promise.all([
          target.wms.listTransactions(key, since),
          target.wms.listAdjustments(key, since),
          target.wms.listCountHistory(key, since),
          target.wms.listReturnsPending(key),
          target.erp.listOpenAllocations(key),
          target.erp.listInboundDocuments(key, { kind: 'asn', id: 'ASN-NONE' }),
          target.erp.listTransfersInTransit(key),
        ]);
        expect(lists).toEqual([[], [], [], [], [], [], []]);
      });
    });

    describe('writes are idempotent on their key', () => {
      it('an adjustment posted twice with one key lands once; the second answer is the first, marked replayed', async () => {
        const key = await freshStock();
        const cmd = { ...key, qty: -3, target: 'both' as const, reasonCode: 'CYCLE_COUNT', caseId: `case-${tag()}`, actor: 'rule:contract', idempotencyKey: `k-${tag()}` };
        const first = await target.wms.postAdjustment(cmd);
        const again = await target.wms.postAdjustment(cmd);
        expect(first.replayed).toBe(false);
        expect(again).toEqual({ adjustmentId: first.adjustmentId, replayed: true });
        expect(await target.wms.getBalance(key)).toEqual({ qty: 97, heldQty: 0 });
        expect(await target.erp.getOnHand(key)).toEqual({ qty: 97 });
        expect(await target.wms.listAdjustments(key, ago(1))).toEqual([expect.objectContaining({ id: first.adjustmentId, qty: -3, reasonCode: 'CYCLE_COUNT' })]);
      });

      it('twelve concurrent duplicates of an adjustment land once, all answered with the same id', async () => {
        const key = await freshStock();
        const cmd = { ...key, qty: 7, target: 'both' as const, reasonCode: 'FOUND', caseId: `case-${tag()}`, actor: 'rule:contract', idempotencyKey: `k-${tag()}` };
        const answers = await Promise.all(Array.from({ length: 12 }, () => target.wms.postAdjustment(cmd)));
        expect(new Set(answers.map((a) => a.adjustmentId)).size).toBe(1);
        expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
        expect(await target.wms.getBalance(key)).toEqual({ qty: 107, heldQty: 0 });
      });

      it('a resync (target erp) moves the ERP view only', async () => {
        const key = await freshStock();
        await target.wms.postAdjustment({ ...key, qty: -4, target: 'erp', reasonCode: 'RESYNC', caseId: `case-${tag()}`, actor: 'rule:contract', idempotencyKey: `k-${tag()}` });
        expect(await target.wms.getBalance(key)).toEqual({ qty: 100, heldQty: 0 });
        expect(await target.erp.getOnHand(key)).toEqual({ qty: 96 });
      });

      it('count tasks: one per key, also under concurrent duplicates; another key is another task', async () => {
        const key = await freshStock();
        const cmd = { ...key, caseId: `case-${tag()}`, reason: 'recount 1', idempotencyKey: `k-${tag()}` };
        const answers = await Promise.all(Array.from({ length: 6 }, () => target.wms.createCountTask(cmd)));
        expect(new Set(answers.map((a) => a.taskId)).size).toBe(1);
        expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
        const other = await target.wms.createCountTask({ ...cmd, idempotencyKey: `k-${tag()}` });
        expect(other.taskId).not.toBe(answers[0].taskId);
      });

      it('notifications: one per key', async () => {
        const n = { role: 'inventory_control', site: `CT-${tag()}`, caseId: `case-${tag()}`, subject: 'a case needs you', body: 'contract', idempotencyKey: `k-${tag()}` };
        const [a, b] = await Promise.all([target.notifier.notify(n), target.notifier.notify(n)]);
        expect(a.notificationId).toBe(b.notificationId);
        expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      });
    });

    describe('holds', () => {
      it('a hold is placed once per key and released once; another key after release changes nothing', async () => {
        const key = await freshStock();
        const cmd = { ...key, qty: 10, reason: 'critical variance', caseId: `case-${tag()}`, idempotencyKey: `k-${tag()}` };
        const placed = await Promise.all([target.wms.placeHold(cmd), target.wms.placeHold(cmd), target.wms.placeHold(cmd)]);
        expect(new Set(placed.map((p) => p.holdId)).size).toBe(1);
        expect(placed.filter((p) => !p.replayed)).toHaveLength(1);
        expect(await target.wms.getBalance(key)).toEqual({ qty: 100, heldQty: 10 });

        const holdId = placed[0].holdId;
        const releaseKey = `k-${tag()}`;
        expect(await target.wms.releaseHold({ holdId, idempotencyKey: releaseKey })).toEqual({ released: true });
        expect(await target.wms.releaseHold({ holdId, idempotencyKey: releaseKey })).toEqual({ released: true });
        expect(await target.wms.releaseHold({ holdId, idempotencyKey: `k-${tag()}` })).toEqual({ released: false });
        expect(await target.wms.getBalance(key)).toEqual({ qty: 100, heldQty: 0 });
      });

      it('concurrent releases of one hold under different keys: exactly one releases it', async () => {
        const key = await freshStock();
        const { holdId } = await target.wms.placeHold({ ...key, qty: 4, reason: 'hold', caseId: `case-${tag()}`, idempotencyKey: `k-${tag()}` });
        const answers = await Promise.all(Array.from({ length: 5 }, () => target.wms.releaseHold({ holdId, idempotencyKey: `k-${tag()}` })));
        expect(answers.filter((a) => a.released)).toHaveLength(1);
        expect(await target.wms.getBalance(key)).toEqual({ qty: 100, heldQty: 0 });
      });
    });

    describe('business refusals surface as AdapterRejection and change nothing', () => {
      it('releasing a hold that does not exist: hold_not_found', async () => {
        const err = await rejection(target.wms.releaseHold({ holdId: `HLD-${tag()}`, idempotencyKey: `k-${tag()}` }));
        expect(err.code).toBe('hold_not_found');
      });

      it('an adjustment of zero and a hold of a negative quantity: invalid_command', async () => {
        const key = await freshStock();
        const zero = await rejection(
          target.wms.postAdjustment({ ...key, qty: 0, target: 'both', reasonCode: 'X', caseId: `case-${tag()}`, actor: 'contract', idempotencyKey: `k-${tag()}` }),
        );
        expect(zero.code).toBe('invalid_command');
        const negative = await rejection(target.wms.placeHold({ ...key, qty: -1, reason: 'x', caseId: `case-${tag()}`, idempotencyKey: `k-${tag()}` }));
        expect(negative.code).toBe('invalid_command');
        expect(await target.wms.getBalance(key)).toEqual({ qty: 100, heldQty: 0 });
      });
    });

    if (!options.masterData) return;
    describe('master data', () => {
      it('items and locations by key; unknown ones are null', async () => {
        const md = target.masterData!;
        const t = tag();
        const site = `CT-${t}`;
        await target.seed({ items: [{ sku: `SKU-${t}`, description: 'drill', skuClass: 'A', unitCost: 89, uom: 'EA' }], locations: [{ site, location: 'A-01', zone: 'A' }] });
        expect(await md.getItem(`SKU-${t}`)).toEqual({ sku: `SKU-${t}`, description: 'drill', skuClass: 'A', unitCost: 89, uom: 'EA' });
        expect(await md.getLocation(site, 'A-01')).toEqual({ site, location: 'A-01', zone: 'A' });
        expect(await md.getItem(`NOPE-${t}`)).toBeNull();
        // the ERP's replenishment levels and the product family travel with the item
        await target.seed({ items: [{ sku: `RP-${t}`, skuClass: 'B', unitCost: 5, family: 'DRILLS', reorderPoint: 63, safetyStock: 20 }] });
        expect(await md.getItem(`RP-${t}`)).toMatchObject({ sku: `RP-${t}`, family: 'DRILLS', reorderPoint: 63, safetyStock: 20 });
        expect(await md.getLocation(site, 'NOPE')).toBeNull();
      });
    });
  });
}
