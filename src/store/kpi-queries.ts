import type { Pool } from 'pg';
import { agrees, SHADOW_AGREEMENT_DAYS, wouldHaveOf } from '../domain/shadow-agreement';

/**
 * KPIs and metric figures, computed in SQL over the read model, the audit log and outcomes.
 * The indexes these queries rely on, and why, are in migrations/003_kpis.sql; bench/kpis.ts
 * times them over a million cases.
 *
 * Window KPIs describe a cohort: the cases opened in [from, to). One WHERE for every figure keeps
 * them comparable (the recount rate and the MTTR are of the same cases) and lets the planner use
 * one index range. Aging is a snapshot of the cases open now, whatever the window.
 */
export interface KpiFilter {
  /** undefined: every site */
  sites?: string[];
  kinds?: string[];
  from: Date;
  to: Date;
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** site and kind conditions on table alias `d` (no time window). */
function scope(f: Pick<KpiFilter, 'sites' | 'kinds'>, p: Params): string[] {
  const where: string[] = [];
  if (f.sites) where.push(`d.site = ANY(${p.add(f.sites)}::text[])`);
  if (f.kinds) where.push(`d.kind = ANY(${p.add(f.kinds)}::text[])`);
  return where;
}

function cohort(f: KpiFilter, p: Params): string {
  const where = [`d.opened_at >= ${p.add(f.from)}`, `d.opened_at < ${p.add(f.to)}`, ...scope(f, p)];
  return `SELECT d.id, d.kind, d.site, d.location, d.status, d.resolution, d.breached, d.detected_at, d.opened_at, d.closed_at
          FROM discrepancies d WHERE ${where.join(' AND ')}`;
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface DurationStats {
  count: number;
  avgSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
}

export interface CohortSummary {
  total: number;
  closed: number;
  autoResolved: number;
  recounted: number;
  /** cases that reached a person on the ladder: they had an SLA */
  withSla: number;
  breached: number;
  mttd: DurationStats;
  mttr: DurationStats;
}

function durationStats(row: Record<string, unknown>, prefix: string): DurationStats {
  return {
    count: num(row[`${prefix}_n`]),
    avgSeconds: numOrNull(row[`${prefix}_avg`]),
    p50Seconds: numOrNull(row[`${prefix}_p50`]),
    p90Seconds: numOrNull(row[`${prefix}_p90`]),
  };
}

/** Every per-case figure of the cohort in one pass; audit marks come from the partial index audit_log_kpi. */
export async function cohortSummary(db: Pool, f: KpiFilter): Promise<CohortSummary> {
  const p = new Params();
  const { rows } = await db.query(
    `WITH cohort AS (${cohort(f, p)}),
     marks AS (
       SELECT a.case_id,
              bool_or(a.action = 'count_task_created') AS recounted,
              bool_or(a.action = 'approval_requested') AS reviewed
       FROM audit_log a JOIN cohort c ON c.id = a.case_id
       WHERE a.action IN ('count_task_created', 'approval_requested')
       GROUP BY a.case_id
     ),
     timed AS (
       SELECT c.*, m.recounted, m.reviewed,
              GREATEST(0, EXTRACT(EPOCH FROM (c.opened_at - c.detected_at)))::float8 AS detect_s,
              EXTRACT(EPOCH FROM (c.closed_at - c.opened_at))::float8 AS resolve_s
       FROM cohort c LEFT JOIN marks m ON m.case_id = c.id
     )
     SELECT count(*) AS total,
            count(*) FILTER (WHERE status = 'closed') AS closed,
            count(*) FILTER (WHERE resolution = 'auto_resolved') AS auto_resolved,
            count(*) FILTER (WHERE recounted) AS recounted,
            count(*) FILTER (WHERE reviewed OR breached) AS with_sla,
            count(*) FILTER (WHERE breached) AS breached,
            count(detect_s) AS mttd_n, avg(detect_s) AS mttd_avg,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY detect_s) AS mttd_p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY detect_s) AS mttd_p90,
            count(resolve_s) AS mttr_n, avg(resolve_s) AS mttr_avg,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY resolve_s) AS mttr_p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_s) AS mttr_p90
     FROM timed`,
    p.values,
  );
  const r = rows[0] as Record<string, unknown>;
  return {
    total: num(r.total),
    closed: num(r.closed),
    autoResolved: num(r.auto_resolved),
    recounted: num(r.recounted),
    withSla: num(r.with_sla),
    breached: num(r.breached),
    mttd: durationStats(r, 'mttd'),
    mttr: durationStats(r, 'mttr'),
  };
}

export interface Volume {
  byKind: { kind: string; count: number }[];
  bySite: { site: string; count: number }[];
}

export async function cohortVolume(db: Pool, f: KpiFilter): Promise<Volume> {
  const p = new Params();
  const { rows } = await db.query(
    `SELECT kind, site, count(*) AS n FROM (${cohort(f, p)}) c
     GROUP BY GROUPING SETS ((kind), (site)) ORDER BY n DESC, kind, site`,
    p.values,
  );
  return {
    byKind: rows.filter((r) => r.kind !== null).map((r) => ({ kind: r.kind as string, count: num(r.n) })),
    bySite: rows.filter((r) => r.site !== null).map((r) => ({ site: r.site as string, count: num(r.n) })),
  };
}

export const AGE_BUCKETS = ['<1h', '1-4h', '4-24h', '1-3d', '>3d'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** Open cases now, by how long they have been open (partial index discrepancies_open_age). */
export async function openCasesByAge(db: Pool, f: Pick<KpiFilter, 'sites' | 'kinds'>, now: Date): Promise<Record<AgeBucket, number>> {
  const p = new Params();
  const at = p.add(now);
  const where = [`d.status <> 'closed'`, ...scope(f, p)];
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE age < interval '1 hour') AS b1,
            count(*) FILTER (WHERE age >= interval '1 hour' AND age < interval '4 hours') AS b2,
            count(*) FILTER (WHERE age >= interval '4 hours' AND age < interval '24 hours') AS b3,
            count(*) FILTER (WHERE age >= interval '24 hours' AND age < interval '3 days') AS b4,
            count(*) FILTER (WHERE age >= interval '3 days') AS b5
     FROM (SELECT ${at}::timestamptz - d.opened_at AS age FROM discrepancies d WHERE ${where.join(' AND ')}) o`,
    p.values,
  );
  const r = rows[0] as Record<string, unknown>;
  return { '<1h': num(r.b1), '1-4h': num(r.b2), '4-24h': num(r.b3), '1-3d': num(r.b4), '>3d': num(r.b5) };
}

export interface FalsePositiveRow {
  kind: string;
  site: string;
  falsePositives: number;
  decided: number;
}

/** Outcomes with a verdict (true_positive not null) of the cohort, by kind and site. */
export async function falsePositivesByKindAndSite(db: Pool, f: KpiFilter): Promise<FalsePositiveRow[]> {
  const p = new Params();
  const { rows } = await db.query(
    `SELECT c.kind, c.site,
            count(*) FILTER (WHERE o.true_positive = false) AS fp,
            count(*) AS decided
     FROM (${cohort(f, p)}) c JOIN outcomes o ON o.case_id = c.id
     WHERE o.true_positive IS NOT NULL
     GROUP BY c.kind, c.site ORDER BY c.kind, c.site`,
    p.values,
  );
  return rows.map((r) => ({ kind: r.kind as string, site: r.site as string, falsePositives: num(r.fp), decided: num(r.decided) }));
}

export interface ReasonCodeRow {
  kind: string;
  /** the person's code, or the code Reckon posted its own adjustment with; null when nothing was posted automatically */
  reasonCode: string | null;
  resolution: string;
  closedBy: 'person' | 'reckon';
  cases: number;
  valueAtRisk: number;
}

const PERSON_CLOSES = `('approved_adjusted', 'rejected_no_change', 'resolved_manually')`;

/**
 * The cohort's closed cases by kind and reason code: a person's code from the policy's catalogue,
 * or, for an automatic adjustment, the code it was posted with (the pinned policy's, its site
 * layer first). Automatic closes that posted nothing (suppressed, resynced, settled by a recount,
 * the terminal rung) are counted with no code, so the figures add up to every closed case.
 */
export async function casesByReasonCode(db: Pool, f: KpiFilter): Promise<ReasonCodeRow[]> {
  const p = new Params();
  const where = [`d.opened_at >= ${p.add(f.from)}`, `d.opened_at < ${p.add(f.to)}`, ...scope(f, p), `d.status = 'closed'`];
  const { rows } = await db.query(
    `SELECT d.kind,
            COALESCE(d.state->>'resolutionCode',
              CASE WHEN d.resolution = 'auto_resolved' AND d.decision->>'correction' = 'adjust' AND COALESCE((d.decision->>'adjustQty')::numeric, 0) <> 0
                   THEN COALESCE(pol.document->'overrides'->d.site->>'autoAdjustReasonCode', pol.document->>'autoAdjustReasonCode') END) AS code,
            d.resolution,
            CASE WHEN d.resolution IN ${PERSON_CLOSES} THEN 'person' ELSE 'reckon' END AS closed_by,
            count(*) AS cases, COALESCE(sum(d.value_at_risk), 0) AS value
     FROM discrepancies d LEFT JOIN policies pol ON pol.version = d.policy_version
     WHERE ${where.join(' AND ')}
     GROUP BY 1, 2, 3, 4 ORDER BY 1, count(*) DESC, 2 NULLS LAST, 3`,
    p.values,
  );
  return rows.map((r) => ({
    kind: r.kind as string,
    reasonCode: (r.code as string | null) ?? null,
    resolution: r.resolution as string,
    closedBy: r.closed_by as 'person' | 'reckon',
    cases: num(r.cases),
    valueAtRisk: num(r.value),
  }));
}

export interface LocationRootCauses {
  site: string;
  location: string;
  total: number;
  causes: { rootCause: string; count: number }[];
}

/**
 * The most frequent confirmed root causes per location: outcomes.root_cause of the cohort's
 * cases, false positives left out (their "cause" did not happen). The busiest `locations`
 * locations, `perLocation` causes each.
 */
export async function topRootCausesByLocation(db: Pool, f: KpiFilter, locations = 20, perLocation = 3): Promise<LocationRootCauses[]> {
  const p = new Params();
  const c = cohort(f, p);
  const { rows } = await db.query(
    `WITH counted AS (
       SELECT c.site, c.location, o.root_cause, count(*) AS n
       FROM (${c}) c JOIN outcomes o ON o.case_id = c.id
       WHERE o.root_cause IS NOT NULL AND c.location IS NOT NULL AND o.true_positive IS DISTINCT FROM false
       GROUP BY 1, 2, 3
     ), ranked AS (
       SELECT *, row_number() OVER (PARTITION BY site, location ORDER BY n DESC, root_cause) AS r,
                 sum(n) OVER (PARTITION BY site, location) AS total
       FROM counted
     ), placed AS (
       SELECT *, dense_rank() OVER (ORDER BY total DESC, site, location) AS place FROM ranked WHERE r <= ${p.add(perLocation)}
     )
     SELECT site, location, total, root_cause, n FROM placed WHERE place <= ${p.add(locations)} ORDER BY place, r`,
    p.values,
  );
  const out: LocationRootCauses[] = [];
  for (const r of rows) {
    let last = out[out.length - 1];
    if (!last || last.site !== r.site || last.location !== r.location) {
      last = { site: r.site as string, location: r.location as string, total: num(r.total), causes: [] };
      out.push(last);
    }
    last.causes.push({ rootCause: r.root_cause as string, count: num(r.n) });
  }
  return out;
}

/** For /metrics: every case by kind, status and resolution (index-only scan of discrepancies_kpi_state). */
export async function countCasesByState(db: Pool): Promise<{ kind: string; status: string; resolution: string | null; count: number }[]> {
  const { rows } = await db.query(`SELECT kind, status, resolution, count(*) AS n FROM discrepancies GROUP BY kind, status, resolution`);
  return rows.map((r) => ({ kind: r.kind as string, status: r.status as string, resolution: r.resolution as string | null, count: num(r.n) }));
}

/** For /metrics: SLA breaches and escalations in the audit log, by kind (partial index audit_log_kpi). */
export async function countAuditEscalations(db: Pool): Promise<{ kind: string; breaches: number; escalations: number }[]> {
  const { rows } = await db.query(
    `SELECT d.kind,
            count(*) FILTER (WHERE a.action = 'sla_breached') AS breaches,
            count(*) FILTER (WHERE a.action IN ('escalated', 'terminal_action')) AS escalations
     FROM audit_log a JOIN discrepancies d ON d.id = a.case_id
     WHERE a.action IN ('sla_breached', 'escalated', 'terminal_action')
     GROUP BY d.kind`,
  );
  return rows.map((r) => ({ kind: r.kind as string, breaches: num(r.breaches), escalations: num(r.escalations) }));
}

export interface IraFigure {
  /** counts behind the figure: a small sample shows as such */
  counts: number;
  accurate: number;
  /** accurate / counts; null without counts */
  rate: number | null;
  /** the counts' value at cost (the larger of system and counted quantity) */
  value: number;
  accurateValue: number;
  /** accurateValue / value; null when nothing counted had a value */
  valueRate: number | null;
}

export interface Ira {
  overall: IraFigure;
  bySite: (IraFigure & { site: string })[];
  byZone: (IraFigure & { site: string; zone: string | null })[];
  byClass: (IraFigure & { skuClass: string })[];
  /** weeks start on Monday (UTC) */
  byWeek: (IraFigure & { week: string })[];
}

/**
 * Inventory record accuracy of the counts taken in [from, to): the share whose system quantity
 * was within the policy's counting tolerance (recorded with each count, src/accuracy), by count
 * and by value, overall and by site, zone, class and week, in one grouped pass.
 */
export async function inventoryRecordAccuracy(db: Pool, f: Pick<KpiFilter, 'sites' | 'from' | 'to'>): Promise<Ira> {
  const p = new Params();
  const where = [`r.counted_at >= ${p.add(f.from)}`, `r.counted_at < ${p.add(f.to)}`];
  if (f.sites) where.push(`r.site = ANY(${p.add(f.sites)}::text[])`);
  const { rows } = await db.query(
    `WITH c AS (
       SELECT r.site, r.zone, r.sku_class, r.within_tolerance,
              to_char(date_trunc('week', r.counted_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
              GREATEST(r.system_qty, r.counted_qty, 0) * GREATEST(r.unit_cost, 0) AS value
       FROM count_results r WHERE ${where.join(' AND ')})
     SELECT GROUPING(site, zone, sku_class, week) AS g, site, zone, sku_class, week,
            count(*) AS n, count(*) FILTER (WHERE within_tolerance) AS ok,
            COALESCE(sum(value), 0) AS v, COALESCE(sum(value) FILTER (WHERE within_tolerance), 0) AS okv
     FROM c GROUP BY GROUPING SETS ((), (site), (site, zone), (sku_class), (week))
     ORDER BY g, site, zone NULLS LAST, sku_class, week`,
    p.values,
  );
  const figure = (r: Record<string, unknown>): IraFigure => {
    const counts = num(r.n);
    const value = Math.round(num(r.v) * 100) / 100;
    const accurateValue = Math.round(num(r.okv) * 100) / 100;
    return { counts, accurate: num(r.ok), rate: counts === 0 ? null : num(r.ok) / counts, value, accurateValue, valueRate: value > 0 ? accurateValue / value : null };
  };
  // GROUPING bits (site, zone, sku_class, week): 1 where the column is rolled up
  const overall = rows.find((r) => num(r.g) === 15);
  return {
    overall: overall ? figure(overall) : figure({ n: 0, ok: 0, v: 0, okv: 0 }),
    bySite: rows.filter((r) => num(r.g) === 7).map((r) => ({ site: r.site as string, ...figure(r) })),
    byZone: rows.filter((r) => num(r.g) === 3).map((r) => ({ site: r.site as string, zone: (r.zone as string | null) ?? null, ...figure(r) })),
    byClass: rows.filter((r) => num(r.g) === 13).map((r) => ({ skuClass: r.sku_class as string, ...figure(r) })),
    byWeek: rows.filter((r) => num(r.g) === 14).map((r) => ({ week: r.week as string, ...figure(r) })),
  };
}

/** For /metrics: IRA per site over the last `days` days. */
export async function iraBySite(db: Pool, now: Date, days = 28): Promise<{ site: string; counts: number; rate: number | null; valueRate: number | null }[]> {
  const ira = await inventoryRecordAccuracy(db, { from: new Date(now.getTime() - days * 86_400_000), to: now });
  return ira.bySite.map((s) => ({ site: s.site, counts: s.counts, rate: s.rate, valueRate: s.valueRate }));
}

export interface ReplenishmentAtRisk {
  site: string;
  sku: string;
  openCases: number;
  /** signed units the open cases would book */
  correction: number;
  /** available stock as the books say, and after the open cases' corrections (the latest case's view) */
  availableBefore: number;
  availableAfter: number;
  reorderPoint: number;
  caseIds: string[];
}

/**
 * Skus whose replenishment open cases distort: an open case's correction moves available stock
 * across the reorder point (recorded in its triage by the projection). Open cases now, whatever
 * the window (partial index discrepancies_open_reorder).
 */
export async function replenishmentAtRisk(db: Pool, f: Pick<KpiFilter, 'sites'>, limit = 50): Promise<ReplenishmentAtRisk[]> {
  const p = new Params();
  const where = [`d.status <> 'closed'`, `(d.triage->'availability'->>'crossesReorderPoint') = 'true'`];
  if (f.sites) where.push(`d.site = ANY(${p.add(f.sites)}::text[])`);
  const { rows } = await db.query(
    `SELECT d.site, d.sku, count(*) AS n, sum((d.triage->'availability'->>'correction')::numeric) AS correction,
            (array_agg((d.triage->'availability'->>'availableBefore')::numeric ORDER BY d.opened_at DESC))[1] AS before,
            (array_agg((d.triage->'availability'->>'availableAfter')::numeric ORDER BY d.opened_at DESC))[1] AS after,
            (array_agg((d.triage->'availability'->>'reorderPoint')::numeric ORDER BY d.opened_at DESC))[1] AS rop,
            array_agg(d.id ORDER BY d.opened_at DESC) AS ids
     FROM discrepancies d WHERE ${where.join(' AND ')}
     GROUP BY d.site, d.sku ORDER BY count(*) DESC, d.site, d.sku LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows.map((r) => ({
    site: r.site as string,
    sku: r.sku as string,
    openCases: num(r.n),
    correction: num(r.correction),
    availableBefore: num(r.before),
    availableAfter: num(r.after),
    reorderPoint: num(r.rop),
    caseIds: r.ids as string[],
  }));
}

export interface ShadowAgreementRow {
  kind: string;
  site: string;
  shadowCases: number;
  /** Reckon and people did the same (domain/shadow-agreement.ts) */
  agreed: number;
  wouldAutoResolve: number;
  /** would-be auto-resolutions people did otherwise (adjusted nothing, or something else) */
  autoResolutionsReversed: number;
  /** cases people booked an adjustment for */
  peopleActed: number;
}

/**
 * For the shadow cases of the cohort, by kind and site: Reckon's decision (the audit's `decided`
 * row) against the adjustments people booked at the case's bin and sku in the agreement window
 * after it was detected (adjustment events, partial index inventory_events_adjustments).
 */
export async function shadowAgreement(db: Pool, f: KpiFilter): Promise<ShadowAgreementRow[]> {
  const p = new Params();
  const c = cohort(f, p);
  const { rows } = await db.query(
    `WITH s AS (
       SELECT c.id, c.kind, c.site, c.location, d.sku, c.detected_at
       FROM (${c}) c JOIN discrepancies d ON d.id = c.id WHERE d.shadow AND c.resolution = 'shadowed'),
     decided AS (
       SELECT DISTINCT ON (a.case_id) a.case_id, a.detail->>'action' AS action, a.detail->>'correction' AS correction,
              COALESCE((a.detail->>'adjustQty')::numeric, 0) AS adjust_qty
       FROM audit_log a JOIN s ON s.id = a.case_id WHERE a.action = 'decided' ORDER BY a.case_id, a.seq DESC),
     people AS (
       SELECT s.id, COALESCE(sum((e.body->>'qty')::numeric), 0) AS adjusted
       FROM s LEFT JOIN inventory_events e ON e.type = 'adjustment' AND e.site = s.site AND e.sku = s.sku
         AND e.body->>'location' IS NOT DISTINCT FROM s.location
         AND e.occurred_at >= s.detected_at AND e.occurred_at < s.detected_at + make_interval(days => ${p.add(SHADOW_AGREEMENT_DAYS)})
         AND jsonb_typeof(e.body->'qty') = 'number'
       GROUP BY s.id)
     SELECT s.kind, s.site, s.id, d.action, d.correction, d.adjust_qty, pe.adjusted
     FROM s JOIN decided d ON d.case_id = s.id JOIN people pe ON pe.id = s.id`,
    p.values,
  );
  const out = new Map<string, ShadowAgreementRow>();
  for (const r of rows) {
    const key = `${r.kind}\u0000${r.site}`;
    const row = out.get(key) ?? { kind: r.kind as string, site: r.site as string, shadowCases: 0, agreed: 0, wouldAutoResolve: 0, autoResolutionsReversed: 0, peopleActed: 0 };
    const would = wouldHaveOf({ action: r.action as string, correction: (r.correction as string | null) ?? undefined });
    const adjusted = num(r.adjusted);
    const ok = agrees(would, num(r.adjust_qty), adjusted);
    row.shadowCases += 1;
    if (ok) row.agreed += 1;
    if (r.action === 'auto_resolve') {
      row.wouldAutoResolve += 1;
      if (!ok) row.autoResolutionsReversed += 1;
    }
    if (adjusted !== 0) row.peopleActed += 1;
    out.set(key, row);
  }
  return [...out.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.site < b.site ? -1 : a.site > b.site ? 1 : 0));
}
