import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { CaseState } from '../../src/domain';
import { verifyAuditChains } from '../../src/store/audit-repo';
import type { PhaseOutcome } from './run';
import type { RunPlan } from './scenario';

/**
 * What "lost nothing" means, checked from every side: each planned case is exactly one case that
 * closed as expected in the read model and in its workflow's result, the ledger holds exactly
 * the expected adjustments and count tasks (no duplicate, none missing), the audit log has each
 * write once, and every audit chain in the database verifies. Checks every phase so far: a later
 * fault must not disturb what an earlier phase settled. One line per problem; none: whole.
 */
export interface Verdict {
  problems: string[];
  /** planned cases with no case, and expected ledger writes (adjustments, count tasks) missing */
  lost: number;
  /** planned cases with more than one case, and ledger writes beyond the expected */
  duplicated: number;
  /** audit chains recomputed and held against their heads */
  chainsVerified: number;
  /**
   * redeliveries that came after their case had closed: each started a case that the engine
   * closed as a duplicate (`duplicate_event`, suppressed, no write), as docs/integration.md says
   */
  redeliveriesSuppressed: number;
}

export async function verifyPhases(db: Pool, temporal: Client, phases: { plan: RunPlan; outcome: PhaseOutcome }[]): Promise<Verdict> {
  const verdict: Verdict = { problems: [], lost: 0, duplicated: 0, chainsVerified: 0, redeliveriesSuppressed: 0 };
  for (const { plan, outcome } of phases) verdict.problems.push(...(await verifyPhase(db, temporal, plan, outcome, verdict)));
  const chains = await verifyAuditChains(db);
  for (const p of chains.problems) verdict.problems.push(`audit chain of ${p.caseId} at seq ${p.seq}: ${p.problem}`);
  if (chains.cases < phases.reduce((n, p) => n + p.plan.cases.length, 0)) verdict.problems.push(`audit: only ${chains.cases} cases have a chain`);
  verdict.chainsVerified = chains.cases;
  return verdict;
}

async function verifyPhase(db: Pool, temporal: Client, plan: RunPlan, outcome: PhaseOutcome, tally: Verdict): Promise<string[]> {
  const problems: string[] = [...outcome.surprises];
  const { rows: all } = await db.query<{ id: string; sku: string; status: string; resolution: string | null; workflow_id: string }>(
    'SELECT id, sku, status, resolution, workflow_id FROM discrepancies WHERE site = $1',
    [plan.site],
  );
  // a redelivery after the close opens a case that only records the duplicate: not a second case
  const suppressed = await suppressedDuplicates(db, plan.site);
  const rows = all.filter((r) => !suppressed.has(r.id));
  tally.redeliveriesSuppressed += all.length - rows.length;
  const bySku = new Map<string, typeof rows>();
  for (const r of rows) bySku.set(r.sku, [...(bySku.get(r.sku) ?? []), r]);

  const ids: string[] = [];
  for (const c of plan.cases) {
    const cases = bySku.get(c.sku) ?? [];
    if (cases.length !== 1) {
      if (cases.length === 0) tally.lost += 1;
      else tally.duplicated += cases.length - 1;
      problems.push(`${c.sku}: ${cases.length} cases in the read model (${cases.map((r) => `${r.id} ${r.status}/${r.resolution}`).join(', ')})`);
      continue;
    }
    const [row] = cases;
    ids.push(row.id);
    const answered = outcome.caseIds.get(c.sku);
    // a client's retry that arrived after its case closed is answered with the duplicate's case, which records it and writes nothing
    if (answered && answered !== row.id && !suppressed.has(answered)) problems.push(`${c.sku}: the API answered case ${answered}, the read model has ${row.id}`);
    if (row.status !== 'closed' || row.resolution !== c.expected.resolution) {
      problems.push(`${c.sku}: read model ${row.status}/${row.resolution}, expected closed/${c.expected.resolution}`);
    }
  }

  // an open workflow's result would wait forever; open cases are reported above
  problems.push(...(await checkWorkflowResults(temporal, plan, rows.filter((r) => r.status === 'closed'))));
  const evidenceMissing = await skusWithMissingEvidence(db, plan);
  problems.push(...(await checkAudit(db, plan, ids, evidenceMissing)));
  const writes = [...(await checkLedger(db, plan)), ...(await checkCountTasks(db, plan, evidenceMissing))];
  tally.lost += writes.filter((w) => w.startsWith('ledger: missing')).length;
  tally.duplicated += writes.filter((w) => w.startsWith('ledger: unexpected')).length;
  problems.push(...writes);
  return problems;
}

async function checkWorkflowResults(temporal: Client, plan: RunPlan, rows: { id: string; sku: string; workflow_id: string }[]): Promise<string[]> {
  const problems: string[] = [];
  const planned = new Map(plan.cases.map((c) => [c.sku, c]));
  await inBatches(rows, 25, async (row) => {
    const c = planned.get(row.sku);
    if (!c) return;
    const result: CaseState = await temporal.workflow.getHandle(row.workflow_id, row.id).result();
    const qty = result.adjustment?.qty;
    if (result.status !== 'closed' || result.resolution !== c.expected.resolution || qty !== c.expected.adjustmentQty) {
      problems.push(
        `${c.sku}: workflow result ${result.status}/${result.resolution} adjustment ${qty ?? 'none'}, ` +
          `expected closed/${c.expected.resolution} adjustment ${c.expected.adjustmentQty ?? 'none'}`,
      );
    }
  });
  return problems;
}

/**
 * One `closed` entry per case, an `adjustment_posted` exactly when an adjustment is expected and
 * a `count_task_created` exactly when a recount is (or evidence went missing, see
 * checkCountTasks): a replayed activity must not record twice.
 */
async function checkAudit(db: Pool, plan: RunPlan, ids: string[], evidenceMissing: Set<string>): Promise<string[]> {
  const { rows } = await db.query<{ case_id: string; sku: string; closed: number; adjusted: number; tasks: number }>(
    `SELECT a.case_id, d.sku,
            count(*) FILTER (WHERE a.action = 'closed')::int AS closed,
            count(*) FILTER (WHERE a.action = 'adjustment_posted')::int AS adjusted,
            count(*) FILTER (WHERE a.action = 'count_task_created')::int AS tasks
     FROM audit_log a JOIN discrepancies d ON d.id = a.case_id
     WHERE a.case_id = ANY($1) GROUP BY a.case_id, d.sku`,
    [ids],
  );
  const planned = new Map(plan.cases.map((c) => [c.sku, c]));
  const problems: string[] = [];
  for (const r of rows) {
    const c = planned.get(r.sku);
    const expectAdjusted = c?.expected.adjustmentQty === undefined ? 0 : 1;
    const expectTasks = c?.recount ? 1 : 0;
    const tasksOk = r.tasks === expectTasks || (r.tasks === 1 && evidenceMissing.has(r.sku));
    if (r.closed !== 1 || r.adjusted !== expectAdjusted || !tasksOk) {
      problems.push(
        `${r.sku}: audit has ${r.closed} closed, ${r.adjusted} adjustment_posted and ${r.tasks} count_task_created entries, ` +
          `expected 1, ${expectAdjusted} and ${expectTasks}`,
      );
    }
  }
  if (rows.length !== ids.length) problems.push(`audit: ${ids.length - rows.length} cases have no audit entries`);
  return problems;
}

/**
 * One count task per recount case (as Reckon recorded it and its result), done with the planned count; none for any other case — unless
 * the audit shows that case gathered evidence with a source missing (a fault hit it mid-read):
 * then the engine rightly asked for one recount, done with what the report observed.
 */
async function checkCountTasks(db: Pool, plan: RunPlan, evidenceMissing: Set<string>): Promise<string[]> {
  const { rows } = await db.query<{ sku: string; status: string; counted_qty: string | null }>(
    'SELECT sku, status, counted_qty FROM count_tasks WHERE site = $1',
    [plan.site],
  );
  const actual = rows.map((r) => `${r.sku} ${r.status} ${r.counted_qty === null ? '-' : Number(r.counted_qty)}`);
  const planned = plan.cases.filter((c) => c.recount).map((c) => `${c.sku} done ${c.recount!.countedQty}`);
  const explained = new Set(plan.cases.filter((c) => !c.recount && evidenceMissing.has(c.sku)).map((c) => `${c.sku} done ${c.report.observedQty}`));
  return [
    ...multisetMinus(planned, actual).map((t) => `ledger: missing count task ${t}`),
    ...multisetMinus(actual, planned)
      .filter((t) => !explained.delete(t))
      .map((t) => `ledger: unexpected count task ${t}`),
  ];
}

/** Closed cases of the site that the engine decided were a duplicate of an earlier case and wrote nothing for. */
async function suppressedDuplicates(db: Pool, site: string): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT d.id FROM discrepancies d
     WHERE d.site = $1 AND d.status = 'closed'
       AND EXISTS (SELECT 1 FROM audit_log a WHERE a.case_id = d.id AND a.action = 'decided' AND a.detail ->> 'rule' = 'duplicate_event')
       AND EXISTS (SELECT 1 FROM audit_log a WHERE a.case_id = d.id AND a.action = 'suppressed')
       AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.case_id = d.id AND a.action IN ('adjustment_posted', 'count_task_created'))`,
    [site],
  );
  return new Set(rows.map((r) => r.id));
}

/** Skus of the plan whose case recorded evidence with a source missing. */
export async function skusWithMissingEvidence(db: Pool, plan: RunPlan): Promise<Set<string>> {
  const { rows } = await db.query<{ sku: string }>(
    `SELECT DISTINCT d.sku FROM audit_log a JOIN discrepancies d ON d.id = a.case_id
     WHERE d.site = $1 AND a.action = 'evidence_gathered' AND jsonb_array_length(a.detail -> 'missing') > 0`,
    [plan.site],
  );
  return new Set(rows.map((r) => r.sku));
}

/** The ledger's adjustments at the run's site, as a multiset of (sku, qty), against the plan's. */
async function checkLedger(db: Pool, plan: RunPlan): Promise<string[]> {
  const { rows } = await db.query<{ sku: string; qty: string }>('SELECT sku, qty FROM ledger.adjustments WHERE site = $1', [plan.site]);
  const actual = rows.map((r) => `${r.sku} ${Number(r.qty)}`);
  const expected = plan.cases.filter((c) => c.expected.adjustmentQty !== undefined).map((c) => `${c.sku} ${c.expected.adjustmentQty}`);
  const missing = multisetMinus(expected, actual).map((a) => `ledger: missing adjustment ${a}`);
  const extra = multisetMinus(actual, expected).map((a) => `ledger: unexpected adjustment ${a}`);
  return [...missing, ...extra];
}

function multisetMinus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    return n === 0;
  });
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
