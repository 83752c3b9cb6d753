import type { Pool } from 'pg';
import { createEvidenceActivities } from '../src/activities/evidence';
import { createReferenceLedger } from '../fake-wms/ledger';
import { createLogger } from '../src/logger';
import { expectStatus, httpClient, measureBounded } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { summarize, type Latency } from './stats';

export interface QueryOptions {
  /** read-model sizes to measure at, ascending */
  rows: [number, number];
  requests: number;
  concurrency: number;
  apiPoolSize: number;
}

export interface QueryAt {
  rows: number;
  latencyMs: Latency;
  byFilter: Record<string, Latency>;
  /** the evidence lookup every case makes (findPriorCases), called directly, one at a time */
  priorCasesMs: Latency;
}

const SITES = 40;
const PRIOR_LOOKUPS = 40;

/**
 * Rows `from`..`to-1` of a synthetic read model: 40 sites, most cases closed, the rest spread
 * over the waiting statuses, severities skewed to info/review, half a year of history.
 */
async function insertSynthetic(db: Pool, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO discrepancies (id, workflow_id, dedupe_key, kind, site, sku, location, status, severity, resolution,
       owner_role, escalation_level, breached, sla_deadline, expected_qty, observed_qty, variance, unit_cost,
       value_at_risk, sku_class, source, occurrences, source_event_ids, policy_version, scorer_version, confidence,
       priority, explanation, detected_at, opened_at, closed_at, row_version)
     SELECT 'syn-' || g, 'disc-syn-' || g, 'syn|' || g,
       (ARRAY['count_variance','receiving_variance','system_mismatch','negative_inventory','phantom_stock'])[1 + g % 5],
       'QS-' || lpad((g % ${SITES})::text, 2, '0'), 'SKU-' || (g % 20000), 'A-' || (g % 500),
       status, severity,
       CASE WHEN status = 'closed' THEN 'auto_resolved' END,
       CASE WHEN status = 'awaiting_approval' THEN 'inventory_control' END,
       0, r3 < 0.05,
       CASE WHEN status = 'awaiting_approval' THEN opened + interval '8 hours' END,
       100, 100 - variance, -variance, 10, variance * 10, 'B', 'wms', 1, ARRAY['SYN-' || g], 1, 'rules-v1',
       round(r3::numeric, 3), (r3 * 100)::int, 'synthetic', opened, opened,
       CASE WHEN status = 'closed' THEN opened + interval '1 hour' END, 1
     FROM (
       SELECT g, r3, now() - r1 * interval '180 days' AS opened, (1 + floor(r2 * 40))::int AS variance,
         CASE WHEN r1 < 0.70 THEN 'closed' WHEN r1 < 0.85 THEN 'awaiting_approval' WHEN r1 < 0.92 THEN 'awaiting_recount'
              ELSE 'gathering_evidence' END AS status,
         CASE WHEN r2 < 0.45 THEN 'info' WHEN r2 < 0.85 THEN 'review' WHEN r2 < 0.97 THEN 'high' ELSE 'critical' END AS severity
       FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3 FROM generate_series($1::int, $2::int - 1) g) x
     ) s`,
    [from, to],
  );
  await db.query('ANALYZE discrepancies');
}

/** What an approver's queue asks for: filters on status, site and severity, a sort, 50 rows. */
const FILTERS: Record<string, (k: number) => string> = {
  'site+status+severity, newest': (k) => `status=awaiting_approval&site=${site(k)}&severity=review&sort=-openedAt&limit=50`,
  'sites+statuses+severities, by value': (k) =>
    `status=awaiting_approval,awaiting_recount&site=${site(k)},${site(k + 1)}&severity=high,critical&sort=-valueAtRisk&limit=50`,
  'site+status, by SLA deadline': (k) => `status=awaiting_approval&site=${site(k)}&sort=slaDeadline&limit=50`,
  'all sites, open, by priority': () => `status=awaiting_approval,awaiting_recount,gathering_evidence&severity=review,high&sort=-priority&limit=50`,
};

function site(k: number): string {
  return `QS-${String(k % SITES).padStart(2, '0')}`;
}

/**
 * GET /v1/discrepancies against a read model of each size: the bench's own rows are cleared
 * first, so the sizes are exact. Latency is per request, at low concurrency.
 */
export async function runQueries(stack: Stack, keys: BenchKeys, o: QueryOptions, log: (m: string) => void): Promise<QueryAt[]> {
  const api = await startReckonApi(stack, { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, poolSize: o.apiPoolSize });
  const http = httpClient(api.url, o.concurrency);
  const names = Object.keys(FILTERS);
  const logger = createLogger(stack.config, 'bench-query');
  const evidence = createEvidenceActivities({ db: stack.db, ...createReferenceLedger(stack.db), logger, evidenceLookbackDays: stack.config.EVIDENCE_LOOKBACK_DAYS });
  const results: QueryAt[] = [];
  try {
    await stack.db.query('TRUNCATE discrepancies');
    let have = 0;
    for (const rows of o.rows) {
      const t0 = Date.now();
      await insertSynthetic(stack.db, have, rows);
      have = rows;
      log(`query: ${rows} read-model rows (inserted in ${Math.round((Date.now() - t0) / 1000)} s), ${o.requests} requests`);
      const byFilter: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      const all: number[] = [];
      const query = async (i: number, record: boolean) => {
        const name = names[i % names.length];
        const t = performance.now();
        const res = await http.get(`/v1/discrepancies?${FILTERS[name](Math.floor(i / names.length))}`, keys.viewer);
        const ms = performance.now() - t;
        expectStatus(res, 200, `GET /v1/discrepancies (${name})`);
        if (record) {
          byFilter[name].push(ms);
          all.push(ms);
        }
      };
      await measureBounded(names.length * 5, o.concurrency, (i) => query(i, false));
      await measureBounded(o.requests, o.concurrency, (i) => query(i, true));
      const prior: number[] = [];
      for (let k = 0; k < PRIOR_LOOKUPS; k++) {
        const g = Math.floor((k * rows) / PRIOR_LOOKUPS);
        const t = performance.now();
        await evidence.findPriorCases({ caseId: `bench-${k}`, dedupeKey: `syn|${g}`, sourceEventIds: [`SYN-${g}`] });
        prior.push(performance.now() - t);
      }
      results.push({
        rows,
        latencyMs: summarize(all),
        byFilter: Object.fromEntries(names.map((n) => [n, summarize(byFilter[n])])),
        priorCasesMs: summarize(prior),
      });
    }
    return results;
  } finally {
    http.close();
    await api.close();
  }
}
