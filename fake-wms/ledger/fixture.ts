import type { Pool, PoolClient } from 'pg';
import type { z } from 'zod';
import { withTransaction } from '../../src/store/db';
import { LedgerFixture, masterDataReferences } from './fixture-schema';
import { type SectionCounts, type SectionTable, upsertSection } from './fixture-upsert';

export { LedgerFixture, type LedgerFixtureInput } from './fixture-schema';

export interface FixtureProblem {
  /** where in the file, e.g. `balances[2].wmsQty`; `(root)` for the whole document */
  path: string;
  message: string;
}

/** A fixture that cannot be loaded; `problems` name every failing path. Nothing was written. */
export class FixtureInvalid extends Error {
  constructor(readonly problems: FixtureProblem[]) {
    super(`invalid ledger fixture (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'FixtureInvalid';
  }
}

export type FixtureLoadSummary = Record<Exclude<keyof LedgerFixture, 'description'>, SectionCounts>;

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function toProblems(issues: z.core.$ZodIssue[]): FixtureProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: 'unknown field' }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

/** Validates a fixture document (already parsed from JSON, or the JSON text itself). */
export function parseFixture(input: unknown): LedgerFixture {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new FixtureInvalid([{ path: '(root)', message: `not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const parsed = LedgerFixture.safeParse(doc);
  if (!parsed.success) throw new FixtureInvalid(toProblems(parsed.error.issues));
  return parsed.data;
}

const SECTIONS: { [K in keyof FixtureLoadSummary]: SectionTable & { rows: (f: LedgerFixture) => Record<string, string | number | boolean | null>[] } } = {
  items: {
    table: 'items',
    columns: { sku: 'text', description: 'text', sku_class: 'text', unit_cost: 'numeric', uom: 'text', family: 'text', reorder_point: 'numeric', safety_stock: 'numeric' },
    key: ['sku'],
    rows: (f) =>
      f.items.map((r) => ({
        sku: r.sku, description: r.description, sku_class: r.skuClass, unit_cost: r.unitCost, uom: r.uom,
        family: r.family ?? null, reorder_point: r.reorderPoint ?? null, safety_stock: r.safetyStock ?? null,
      })),
  },
  locations: {
    table: 'locations',
    columns: { site: 'text', location: 'text', zone: 'text' },
    key: ['site', 'location'],
    rows: (f) => f.locations.map((r) => ({ site: r.site, location: r.location, zone: r.zone ?? null })),
  },
  balances: {
    table: 'balances',
    columns: { site: 'text', location: 'text', sku: 'text', wms_qty: 'numeric', erp_qty: 'numeric', held_qty: 'numeric' },
    key: ['site', 'location', 'sku'],
    keepWhenAbsent: ['held_qty'],
    rows: (f) => f.balances.map((r) => ({ site: r.site, location: r.location, sku: r.sku, wms_qty: r.wmsQty, erp_qty: r.erpQty, held_qty: r.heldQty ?? null })),
  },
  transactions: {
    table: 'transactions',
    columns: {
      id: 'text', site: 'text', location: 'text', sku: 'text', type: 'text', qty: 'numeric', user_id: 'text', device_id: 'text',
      occurred_at: 'timestamptz', reason_code: 'text', reference_kind: 'text', reference_id: 'text', reference_line: 'text', posted_to_erp: 'boolean',
    },
    key: ['id'],
    rows: (f) =>
      f.transactions.map((r) => ({
        id: r.id, site: r.site, location: r.location ?? null, sku: r.sku, type: r.type, qty: r.qty, user_id: r.userId ?? null,
        device_id: r.deviceId ?? null, occurred_at: r.occurredAt, reason_code: r.reasonCode ?? null, reference_kind: r.reference?.kind ?? null,
        reference_id: r.reference?.id ?? null, reference_line: r.reference?.line ?? null, posted_to_erp: r.postedToErp,
      })),
  },
  allocations: {
    table: 'allocations',
    columns: { id: 'text', order_id: 'text', site: 'text', location: 'text', sku: 'text', qty: 'numeric', picked_qty: 'numeric', issued_in_erp: 'boolean' },
    key: ['id'],
    rows: (f) =>
      f.allocations.map((r) => ({
        id: r.id, order_id: r.orderId, site: r.site, location: r.location ?? null, sku: r.sku, qty: r.qty, picked_qty: r.pickedQty, issued_in_erp: r.issuedInErp,
      })),
  },
  inboundDocuments: {
    table: 'inbound_documents',
    columns: {
      doc_kind: 'text', id: 'text', line: 'text', site: 'text', location: 'text', sku: 'text', expected_qty: 'numeric', received_qty: 'numeric',
      posted_to_erp: 'boolean', received_at: 'timestamptz',
    },
    key: ['doc_kind', 'id', 'line'],
    rows: (f) =>
      f.inboundDocuments.map((r) => ({
        doc_kind: r.docKind, id: r.id, line: r.line ?? '', site: r.site, location: r.location ?? null, sku: r.sku, expected_qty: r.expectedQty,
        received_qty: r.receivedQty, posted_to_erp: r.postedToErp, received_at: r.receivedAt ?? null,
      })),
  },
  transfers: {
    table: 'transfers',
    columns: {
      id: 'text', sku: 'text', from_site: 'text', from_location: 'text', to_site: 'text', to_location: 'text', qty: 'numeric', shipped_at: 'timestamptz',
      eta: 'timestamptz', received_in_wms: 'boolean', received_in_erp: 'boolean', received_at: 'timestamptz',
    },
    key: ['id'],
    rows: (f) =>
      f.transfers.map((r) => ({
        id: r.id, sku: r.sku, from_site: r.fromSite, from_location: r.fromLocation ?? null, to_site: r.toSite, to_location: r.toLocation ?? null,
        qty: r.qty, shipped_at: r.shippedAt, eta: r.eta, received_in_wms: r.receivedInWms, received_in_erp: r.receivedInErp, received_at: r.receivedAt ?? null,
      })),
  },
  returns: {
    table: 'returns',
    columns: { id: 'text', site: 'text', location: 'text', sku: 'text', qty: 'numeric', received_at: 'timestamptz', dispositioned: 'boolean' },
    key: ['id'],
    rows: (f) =>
      f.returns.map((r) => ({
        id: r.id, site: r.site, location: r.location ?? null, sku: r.sku, qty: r.qty, received_at: r.receivedAt, dispositioned: r.dispositioned,
      })),
  },
  counts: {
    table: 'counts',
    columns: { id: 'text', site: 'text', location: 'text', sku: 'text', counted_qty: 'numeric', counted_by: 'text', counted_at: 'timestamptz' },
    key: ['id'],
    rows: (f) =>
      f.counts.map((r) => ({
        id: r.id, site: r.site, location: r.location ?? null, sku: r.sku, counted_qty: r.countedQty, counted_by: r.countedBy ?? null, counted_at: r.countedAt,
      })),
  },
};

/** Skus and bins the fixture uses must be declared in it or already known to the ledger. */
async function checkMasterData(c: PoolClient, f: LedgerFixture): Promise<void> {
  const skus = new Set(f.items.map((i) => i.sku));
  const bins = new Set(f.locations.map((l) => `${l.site}\u0000${l.location}`));
  const refs = masterDataReferences(f).filter((r) => (r.sku ? !skus.has(r.sku) : !bins.has(`${r.site}\u0000${r.location}`)));
  if (refs.length === 0) return;
  const known = await c.query<{ sku: string }>('SELECT sku FROM ledger.items WHERE sku = ANY($1::text[])', [refs.flatMap((r) => (r.sku ? [r.sku] : []))]);
  const knownBins = await c.query<{ site: string; location: string }>(
    `SELECT l.site, l.location FROM ledger.locations l
     JOIN unnest($1::text[], $2::text[]) AS wanted(site, location) USING (site, location)`,
    [refs.flatMap((r) => (r.sku ? [] : [r.site ?? ''])), refs.flatMap((r) => (r.sku ? [] : [r.location ?? '']))],
  );
  for (const row of known.rows) skus.add(row.sku);
  for (const row of knownBins.rows) bins.add(`${row.site}\u0000${row.location}`);
  const problems = refs.flatMap((r): FixtureProblem[] => {
    if (r.sku) return skus.has(r.sku) ? [] : [{ path: r.path, message: `unknown sku ${r.sku}: add it to items` }];
    return bins.has(`${r.site}\u0000${r.location}`) ? [] : [{ path: r.path, message: `unknown location ${r.location} at site ${r.site}: add it to locations` }];
  });
  if (problems.length) throw new FixtureInvalid(problems);
}

/**
 * Loads a validated fixture in one transaction: all of it or none of it. Rows are upserted by
 * id (balances by site/location/sku), so loading the same file again changes nothing.
 * Transactions are history: they are recorded, not replayed into the balances.
 */
export async function loadFixture(pool: Pool, fixture: LedgerFixture): Promise<FixtureLoadSummary> {
  return withTransaction(pool, async (c) => {
    await checkMasterData(c, fixture);
    const summary = {} as FixtureLoadSummary;
    for (const name of Object.keys(SECTIONS) as (keyof FixtureLoadSummary)[]) {
      const spec = SECTIONS[name];
      summary[name] = await upsertSection(c, spec, spec.rows(fixture));
    }
    return summary;
  });
}

export function changedRows(summary: FixtureLoadSummary): number {
  return Object.values(summary).reduce((n, s) => n + s.inserted + s.updated, 0);
}
