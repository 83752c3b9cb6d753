import type { Pool } from 'pg';
import type { SkuClass } from '../domain';
import { appendAudit, listAudit } from './audit-repo';
import { lockForTransaction, withTransaction } from './db';
import type { SkuClassDbRow } from './sku-class-repo';

/** Class overrides are chained per site in the audit log: who set which class, when and why. */
export const classAuditChain = (site: string) => `sku-classes:${site}`;

export interface ClassOverride {
  skuClass: SkuClass;
  by: string;
  at: string;
  reason: string | null;
}

export interface SkuClassRecord {
  site: string;
  sku: string;
  computed: { skuClass: SkuClass; annualUsageValue: number | null; computedAt: string | null } | null;
  override: ClassOverride | null;
}

export interface ClassChange {
  at: string;
  by: string;
  from: SkuClass | null;
  to: SkuClass | null;
  reason: string | null;
}

type Row = Omit<SkuClassDbRow, 'site' | 'sku'>;

const toRecord = (site: string, sku: string, r: Row | undefined): SkuClassRecord => ({
  site,
  sku,
  computed: r?.computed_class
    ? { skuClass: r.computed_class, annualUsageValue: r.annual_usage_value === null ? null : Number(r.annual_usage_value), computedAt: r.computed_at?.toISOString() ?? null }
    : null,
  override: r?.override_class ? { skuClass: r.override_class, by: r.override_by ?? 'unknown', at: (r.override_at ?? new Date(0)).toISOString(), reason: r.override_reason } : null,
});

const SELECT = 'SELECT computed_class, annual_usage_value, computed_at, override_class, override_by, override_reason, override_at FROM sku_classes WHERE site = $1 AND sku = $2';

export async function readSkuClass(db: Pool, site: string, sku: string): Promise<SkuClassRecord> {
  const { rows } = await db.query<Row>(SELECT, [site, sku]);
  return toRecord(site, sku, rows[0]);
}

/** The overrides in force at a site, by sku (the planner names them in its reasons). */
export async function classOverridesAt(db: Pick<Pool, 'query'>, site: string): Promise<Map<string, ClassOverride>> {
  const { rows } = await db.query<Row & { sku: string }>(
    'SELECT sku, override_class, override_by, override_reason, override_at FROM sku_classes WHERE site = $1 AND override_class IS NOT NULL',
    [site],
  );
  return new Map(rows.map((r) => [r.sku, toRecord(site, r.sku, r).override!]));
}

/**
 * A person sets (or with null clears) a sku's class at a site; the change and the row are
 * written in one transaction with an audit row. Setting the class already in force changes
 * nothing and audits nothing, so a repeated request is harmless.
 */
export async function changeClassOverride(
  pool: Pool,
  o: { site: string; sku: string; skuClass: SkuClass | null; by: string; reason: string },
): Promise<{ changed: boolean; record: SkuClassRecord }> {
  const chain = classAuditChain(o.site);
  return withTransaction(pool, async (c) => {
    await lockForTransaction(c, `reckon-audit:${chain}`);
    const before = (await c.query<Row>(`${SELECT} FOR UPDATE`, [o.site, o.sku])).rows[0];
    const from = before?.override_class ?? null;
    if (from === o.skuClass) return { changed: false, record: toRecord(o.site, o.sku, before) };
    const at = new Date();
    const { rows } = await c.query<Row>(
      `INSERT INTO sku_classes (site, sku, override_class, override_by, override_reason, override_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (site, sku) DO UPDATE SET override_class = EXCLUDED.override_class, override_by = EXCLUDED.override_by,
         override_reason = EXCLUDED.override_reason, override_at = EXCLUDED.override_at
       RETURNING computed_class, annual_usage_value, computed_at, override_class, override_by, override_reason, override_at`,
      [o.site, o.sku, o.skuClass, o.by, o.reason, at],
    );
    const seq = await c.query<{ next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM audit_log WHERE case_id = $1', [chain]);
    await appendAudit(c, chain, [
      {
        seq: seq.rows[0].next,
        at: at.toISOString(),
        action: o.skuClass ? 'sku_class_overridden' : 'sku_class_override_cleared',
        actorKind: 'user',
        actorId: o.by,
        detail: { site: o.site, sku: o.sku, from, to: o.skuClass, reason: o.reason },
      },
    ]);
    return { changed: true, record: toRecord(o.site, o.sku, rows[0]) };
  });
}

/** A sku's override history at a site, oldest first, from the audit chain. */
export async function classHistory(pool: Pool, site: string, sku: string): Promise<ClassChange[]> {
  const rows = await listAudit(pool, classAuditChain(site));
  return rows
    .filter((r) => r.detail?.sku === sku)
    .map((r) => ({
      at: r.at,
      by: r.actorId,
      from: (r.detail?.from ?? null) as SkuClass | null,
      to: (r.detail?.to ?? null) as SkuClass | null,
      reason: (r.detail?.reason ?? null) as string | null,
    }));
}
