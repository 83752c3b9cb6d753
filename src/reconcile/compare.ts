import type { StockSnapshotItem, StockSnapshotPage, StockSnapshotQuery } from '../adapters/ports';

/** One sku's figures in both systems, with when each page was taken. */
export interface SkuPair {
  sku: string;
  wmsQty: number;
  erpQty: number;
  wmsTakenAt: string;
  erpTakenAt: string;
  unitCost?: number;
  skuClass?: 'A' | 'B' | 'C';
}

type Pager = (q: StockSnapshotQuery) => Promise<StockSnapshotPage>;

/** Reads one system's snapshot a page at a time; only the current page is held. */
class Cursor {
  private page?: StockSnapshotPage;
  private i = 0;
  constructor(
    private readonly pager: Pager,
    private readonly site: string,
    private readonly limit: number,
  ) {}

  /** The current item (fetching the next page when this one is used up), or undefined at the end. */
  async peek(): Promise<{ item: StockSnapshotItem; takenAt: string } | undefined> {
    while (!this.page || (this.i >= this.page.items.length && this.page.next !== undefined)) {
      const after: string | undefined = this.page?.next;
      this.page = await this.pager({ site: this.site, after, limit: this.limit });
      this.i = 0;
    }
    const item = this.page.items[this.i];
    return item ? { item, takenAt: this.page.takenAt } : undefined;
  }

  advance(): void {
    this.i += 1;
  }
}

/**
 * Walks both systems' snapshots of a site in sku order (a merge join: both are sorted the
 * same way, byte order) and yields every sku in either, with 0 for the side that lacks it.
 * Memory stays at one page per system, whatever the site's size.
 */
export async function* pairSnapshots(wms: Pager, erp: Pager, site: string, pageSize: number): AsyncGenerator<SkuPair> {
  const w = new Cursor(wms, site, pageSize);
  const e = new Cursor(erp, site, pageSize);
  for (;;) {
    const [a, b] = [await w.peek(), await e.peek()];
    if (!a && !b) return;
    const takenAt = { wmsTakenAt: a?.takenAt ?? b!.takenAt, erpTakenAt: b?.takenAt ?? a!.takenAt };
    if (a && (!b || a.item.sku < b.item.sku)) {
      yield { sku: a.item.sku, wmsQty: a.item.qty, erpQty: 0, ...takenAt, unitCost: a.item.unitCost, skuClass: a.item.skuClass };
      w.advance();
    } else if (b && (!a || b.item.sku < a.item.sku)) {
      yield { sku: b.item.sku, wmsQty: 0, erpQty: b.item.qty, ...takenAt, unitCost: b.item.unitCost, skuClass: b.item.skuClass };
      e.advance();
    } else {
      yield { sku: a!.item.sku, wmsQty: a!.item.qty, erpQty: b!.item.qty, ...takenAt, unitCost: a!.item.unitCost ?? b!.item.unitCost, skuClass: a!.item.skuClass ?? b!.item.skuClass };
      w.advance();
      e.advance();
    }
  }
}
