/**
 * npx tsx bench/kpis.ts [--cases 1000000] [--runs 5] [--keep]
 *
 * GET /v1/kpis and the /metrics case figures over a large read model: a scratch database
 * (reckon_bench_kpis_<pid>, dropped at the end or on Ctrl-C unless --keep; the next run drops a kept one) with `cases` synthetic cases over half a
 * year in 20 sites, their audit rows (about five per case) and outcomes. Every KPI query is
 * timed with the indexes of migrations/003_kpis.sql, then without them, then the indexes are
 * built again (their build time is printed too). Not part of the test suite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { createPool } from '../src/store/db';
import { MIGRATIONS_DIR, migrate } from '../src/store/migrate';
import { createScratchDatabase } from './scratch-db';
import {
  cohortSummary,
  cohortVolume,
  countAuditEscalations,
  countCasesByState,
  falsePositivesByKindAndSite,
  openCasesByAge,
  topRootCausesByLocation,
  type KpiFilter,
} from '../src/store/kpi-queries';

const DB_PREFIX = 'reckon_bench_kpis_';
const BATCH = 100_000;
const DAY_MS = 86_400_000;
const KPI_INDEXES = ['discrepancies_site_opened', 'discrepancies_opened', 'discrepancies_open_age', 'discrepancies_kpi_state', 'audit_log_kpi', 'audit_log_kpi_action'];

function options(argv: string[]) {
  const o = { cases: 1_000_000, runs: 5, keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cases') o.cases = Number(argv[++i]);
    else if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--keep') o.keep = true;
    else throw new Error(`unknown argument ${argv[i]}\nusage: npx tsx bench/kpis.ts [--cases N] [--runs N] [--keep]`);
  }
  if (!Number.isInteger(o.cases) || o.cases < 1 || !Number.isInteger(o.runs) || o.runs < 1) throw new Error('--cases and --runs take positive integers');
  return o;
}

/**
 * Cases `from`..`to-1`: ten kinds, 20 sites, 500 locations a site, opened over 180 days; old
 * cases mostly closed (1 % stuck open), the last three days 60 % open. Each case gets its audit
 * rows (opened, evidence, scored, decided, and when they happened: count task, review, breach,
 * escalation, closed) and, when closed, an outcome. Wide columns are filled like real ones.
 */
async function insertCases(db: Pool, from: number, to: number): Promise<void> {
  await db.query(
    `WITH src AS MATERIALIZED (
       SELECT g, 'kpi-' || g AS id, opened, opened - r4 * interval '15 minutes' AS detected,
              (ARRAY['count_variance','receiving_variance','system_mismatch','negative_inventory','phantom_stock',
                     'transfer_delay','return_unposted','mis_scan','shrink_pattern','lot_expiry'])[1 + g % 10] AS kind,
              'DC' || lpad(((g / 10) % 20)::text, 2, '0') AS site,
              'L-' || lpad(((g / 200) % 500)::text, 4, '0') AS location,
              status, resolution,
              CASE WHEN status = 'closed' THEN opened + r3 * interval '3 days' END AS closed_at,
              reviewed, recounted,
              reviewed AND (r4 < 0.15 OR coalesce(resolution = 'escalated_terminal', false)) AS breached,
              r3, r4
       FROM (
         SELECT *,
           coalesce(resolution IN ('approved_adjusted', 'rejected_no_change', 'escalated_terminal'), false) OR status = 'awaiting_approval' AS reviewed,
           coalesce(resolution = 'resolved_by_recount', false) OR status = 'awaiting_recount' OR r3 < 0.1 AS recounted
         FROM (
           SELECT *,
             CASE WHEN status <> 'closed' THEN NULL WHEN r2 < 0.55 THEN 'auto_resolved' WHEN r2 < 0.75 THEN 'approved_adjusted'
                  WHEN r2 < 0.85 THEN 'rejected_no_change' WHEN r2 < 0.95 THEN 'resolved_by_recount' ELSE 'escalated_terminal' END AS resolution
           FROM (
             SELECT *,
               CASE WHEN (opened > now() - interval '3 days' AND r5 < 0.6) OR r5 < 0.01 THEN
                      CASE WHEN r2 < 0.6 THEN 'awaiting_approval' WHEN r2 < 0.85 THEN 'awaiting_recount' ELSE 'gathering_evidence' END
                    ELSE 'closed' END AS status
             FROM (SELECT g, now() - random() * interval '180 days' AS opened, random() AS r2, random() AS r3, random() AS r4, random() AS r5
                   FROM generate_series($1::int, $2::int - 1) g) r
           ) s
         ) t
       ) u
     ),
     cases AS (
       INSERT INTO discrepancies (id, workflow_id, dedupe_key, kind, site, sku, location, status, severity, resolution,
         owner_role, escalation_level, breached, expected_qty, observed_qty, variance, unit_cost, value_at_risk, sku_class,
         source, occurrences, source_event_ids, policy_version, scorer_version, confidence, priority, explanation, score,
         evidence, decision, detected_at, opened_at, closed_at, row_version)
       SELECT id, 'disc-' || id, kind || '|' || site || '|' || g, kind, site, 'SKU-' || (g % 50000), location, status,
         'review', resolution, CASE WHEN status = 'awaiting_approval' THEN 'inventory_control' END, 0, breached,
         100, 96, -4, 12.5, 50, 'B', 'wms', 1, ARRAY['WMS-' || g], 1, 'rules-v1', round(r3::numeric, 3), (r4 * 100)::int,
         'Counted 96 against 100 expected; no open allocation or transfer explains the difference. A recount of the location is the usual next step.',
         jsonb_build_object('scorerVersion', 'rules-v1', 'confidence', round(r3::numeric, 3), 'causes',
           jsonb_build_array(jsonb_build_object('cause', 'miscount', 'probability', 0.6), jsonb_build_object('cause', 'theft', 'probability', 0.3))),
         jsonb_build_object('balance', jsonb_build_object('wms', 96, 'erp', 100), 'at', opened, 'recentTransactions',
           '[{"type":"pick","qty":2,"userId":"u1","at":"2026-01-01T08:00:00Z"},{"type":"pick","qty":1,"userId":"u2","at":"2026-01-01T09:00:00Z"},
             {"type":"receipt","qty":24,"userId":"u3","at":"2026-01-01T10:00:00Z"},{"type":"move","qty":4,"userId":"u4","at":"2026-01-01T11:00:00Z"},
             {"type":"adjustment","qty":-2,"userId":"u5","at":"2026-01-01T12:00:00Z"},{"type":"pick","qty":3,"userId":"u6","at":"2026-01-01T13:00:00Z"}]'::jsonb,
           'missing', '[]'::jsonb),
         jsonb_build_object('action', CASE WHEN resolution = 'auto_resolved' THEN 'auto_resolve' ELSE 'review' END),
         detected, opened, closed_at, 9
       FROM src
     ),
     outcome AS (
       INSERT INTO outcomes (case_id, kind, site, resolution, root_cause, true_positive, scorer_version, confidence)
       SELECT id, kind, site, resolution,
              (ARRAY['miscount', 'theft', 'damage', 'unposted_receipt', 'mis_pick', 'supplier_short'])[1 + (g * 7 + (r4 * 6)::int) % 6],
              CASE resolution WHEN 'rejected_no_change' THEN false WHEN 'escalated_terminal' THEN NULL ELSE true END,
              'rules-v1', round(r3::numeric, 3)
       FROM src WHERE status = 'closed'
     )
     -- (data-modifying WITH parts run whether or not the main statement reads them)
     INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, status, detail, prev_hash, hash)
     SELECT src.id, a.seq, src.opened + a.seq * interval '1 minute', a.action, 'system', 'reckon', src.status, '{"rung":1}',
            md5(src.id || a.seq) || md5(a.action), md5(src.id || a.seq || 'h') || md5(src.id)
     FROM src CROSS JOIN LATERAL (VALUES
       (1, 'opened', true), (2, 'evidence_gathered', true), (3, 'scored', true), (4, 'decided', true),
       (5, 'count_task_created', src.recounted), (6, 'approval_requested', src.reviewed), (7, 'sla_breached', src.breached),
       (8, 'escalated', src.breached AND src.r3 < 0.5), (9, 'closed', src.status = 'closed')
     ) AS a(seq, action, happened)
     WHERE a.happened`,
    [from, to],
  );
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const v = await fn();
  return [Number(process.hrtime.bigint() - started) / 1e6, v];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`.padStart(9);

interface Scenario {
  name: string;
  filter: KpiFilter;
}

function scenarios(now: Date): Scenario[] {
  const days = (n: number) => ({ from: new Date(now.getTime() - n * DAY_MS), to: now });
  return [
    { name: 'all sites, 30 days', filter: { ...days(30) } },
    { name: 'one site, 30 days', filter: { sites: ['DC07'], ...days(30) } },
    { name: 'one site, one kind, 30 days', filter: { sites: ['DC07'], kinds: ['count_variance'], ...days(30) } },
    { name: 'three sites, 90 days', filter: { sites: ['DC01', 'DC02', 'DC03'], ...days(90) } },
    { name: 'all sites, 366 days (widest allowed)', filter: { ...days(366) } },
  ];
}

const QUERIES: Record<string, (db: Pool, f: KpiFilter, now: Date) => Promise<unknown>> = {
  summary: (db, f) => cohortSummary(db, f),
  volume: (db, f) => cohortVolume(db, f),
  aging: (db, f, now) => openCasesByAge(db, f, now),
  falsePositives: (db, f) => falsePositivesByKindAndSite(db, f),
  rootCauses: (db, f) => topRootCausesByLocation(db, f),
};

/** Each scenario: the five queries together, as the API runs them (wall time), and each alone. */
async function measure(db: Pool, runs: number, log: (s: string) => void): Promise<void> {
  const now = new Date();
  for (const s of scenarios(now)) {
    const wall: number[] = [];
    const each: Record<string, number[]> = {};
    for (let i = 0; i <= runs; i++) {
      const [t] = await timed(() => Promise.all(Object.values(QUERIES).map((q) => q(db, s.filter, now))));
      if (i > 0) wall.push(t); // the first run warms the cache
    }
    for (const [name, q] of Object.entries(QUERIES)) {
      for (let i = 0; i < runs; i++) (each[name] ??= []).push((await timed(() => q(db, s.filter, now)))[0]);
    }
    const volume = (await cohortSummary(db, s.filter)).total;
    log(`  ${s.name.padEnd(38)} ${String(volume).padStart(8)} cases  GET /v1/kpis ${ms(median(wall))}   ` +
      Object.entries(each).map(([n, xs]) => `${n} ${ms(median(xs)).trim()}`).join(', '));
  }
  const metrics: Record<string, (db: Pool) => Promise<unknown>> = { 'metrics: cases by state': countCasesByState, 'metrics: audit breaches': countAuditEscalations };
  for (const [name, q] of Object.entries(metrics)) {
    const xs: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const [t] = await timed(() => q(db));
      if (i > 0) xs.push(t);
    }
    log(`  ${name.padEnd(38)} ${''.padStart(14)} ${ms(median(xs))}`);
  }
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const log = (s: string) => process.stdout.write(`${s}\n`);
  // the owner may create databases, and drop them with its own sessions in them
  const scratch = await createScratchDatabase(loadConfig().MIGRATION_DATABASE_URL, DB_PREFIX);
  const db = createPool(scratch.url, 6, { statementTimeoutMs: 0 });
  let dropped: Promise<void> | undefined;
  const cleanUp = () => (dropped ??= db.end().catch(() => undefined).then(() => (o.keep ? undefined : scratch.drop())));
  // a million rows must not stay behind when the run is interrupted
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    await migrate(db);
    log(`scratch database ${scratch.name}: inserting ${o.cases} cases with audit rows and outcomes`);
    const [tInsert] = await timed(async () => {
      for (let from = 0; from < o.cases; from += BATCH) {
        await insertCases(db, from, Math.min(from + BATCH, o.cases));
        process.stdout.write(`  ${Math.min(from + BATCH, o.cases)}\r`);
      }
    });
    const [tVacuum] = await timed(() => db.query('VACUUM ANALYZE'));
    const sizes = await db.query(
      `SELECT (SELECT count(*) FROM discrepancies) AS cases, (SELECT count(*) FROM audit_log) AS audit, (SELECT count(*) FROM outcomes) AS outcomes,
              pg_size_pretty(pg_total_relation_size('discrepancies')) AS case_size, pg_size_pretty(pg_total_relation_size('audit_log')) AS audit_size`,
    );
    const z = sizes.rows[0];
    log(`inserted in ${Math.round(tInsert / 1000)} s (vacuum analyze ${Math.round(tVacuum / 1000)} s): ${z.cases} cases (${z.case_size}), ${z.audit} audit rows (${z.audit_size}), ${z.outcomes} outcomes`);
    const settings = await db.query(`SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm`);
    log(`Postgres ${settings.rows[0].v}, shared_buffers ${settings.rows[0].sb}, work_mem ${settings.rows[0].wm}; medians of ${o.runs} runs after a warm-up\n`);

    log('with the 003_kpis indexes:');
    await measure(db, o.runs, log);

    for (const name of KPI_INDEXES) await db.query(`DROP INDEX IF EXISTS ${name}`);
    await db.query('ANALYZE');
    log('\nwithout them (only 001_core indexes):');
    await measure(db, o.runs, log);

    const [tBuild] = await timed(() => db.query(readFileSync(join(MIGRATIONS_DIR, '003_kpis.sql'), 'utf8')));
    log(`\nbuilding the 003_kpis indexes on this data: ${Math.round(tBuild / 100) / 10} s`);
  } finally {
    await cleanUp();
    if (o.keep) log(`kept ${scratch.name}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
