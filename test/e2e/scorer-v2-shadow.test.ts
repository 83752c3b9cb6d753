import {
  DiscrepancyReport,
  PolicyDocument,
  ROOT_CAUSES,
  workflowIdForKey,
  type CaseState,
  type DiscrepancyReportInput,
  type PinnedPolicy,
} from '../../src/domain';
import { createPolicyVersion } from '../../src/store/policy-repo';
import { recordOutcome } from '../../src/store/outcome-repo';
import { DISCREPANCY_WORKFLOW_TYPE, reportSignal, stateQuery } from '../../src/workflows/messages';
import { startApi, type Api, type Persona } from '../support/api';
import { adjustmentsFor, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { TEST_POLICY, TEST_POLICY_INPUT } from '../support/test-policy';

/**
 * Scorer v2 and shadow mode on a real engine (Temporal, Postgres, the reference ledger, the API).
 * The policy under test runs bayes-v2 at this file's own sites and shadow mode at one of them;
 * cases pin it at start, so other test files keep the suite's policy.
 */
let engine: Engine;
let api: Api;
let pinned: PinnedPolicy;
const shadowSite = uniq('SHD');
const actSite = uniq('ACT');
const learnSite = uniq('LRN');
const viewer: Persona = { userId: 'viewer-1', roles: ['viewer'], sites: ['*'] };
const approver: Persona = { userId: 'ic-approver', roles: ['inventory_control'], sites: ['*'] };

beforeAll(async () => {
  engine = await startEngine();
  api = await startApi(engine);
  const document = PolicyDocument.parse({
    ...TEST_POLICY_INPUT,
    name: 'scorer-v2-shadow-test',
    scoring: { sites: { [shadowSite]: 'bayes-v2', [actSite]: 'bayes-v2', [learnSite]: 'bayes-v2' } },
    shadow: { sites: { [shadowSite]: true } },
  });
  pinned = await createPolicyVersion(engine.db, document, 'scorer-v2-test', 'scorer v2 in shadow for this test');
  // the suite's policy stays the active one for everybody else
  await createPolicyVersion(engine.db, TEST_POLICY, 'test-suite', 'back to the suite policy');
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

/** Starts a case pinned to this file's policy, as the intake would (signal-with-start). */
async function start(input: DiscrepancyReportInput): Promise<{ workflowId: string; caseId: string }> {
  const report = DiscrepancyReport.parse(input);
  const receivedAt = new Date().toISOString();
  const handle = await engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report),
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ report, receivedAt, policy: pinned }],
    signal: reportSignal,
    signalArgs: [{ report, receivedAt }],
  });
  return { workflowId: handle.workflowId, caseId: handle.signaledRunId };
}

/** The case closed, and its closing transition committed (the workflow's state says closed a moment before). */
async function closed(workflowId: string): Promise<CaseState> {
  const state = await waitForStatus(engine.client, workflowId, ['closed']);
  await eventually(async () => (await engine.db.query(`SELECT 1 FROM discrepancies WHERE id = $1 AND status = 'closed'`, [state.caseId])).rows[0]);
  return state;
}

async function ledgerWrites(site: string, sku: string) {
  const q = async (table: string) => (await engine.db.query(`SELECT count(*)::int AS n FROM ledger.${table} WHERE site = $1 AND sku = $2`, [site, sku])).rows[0].n as number;
  const notifications = (await engine.db.query(`SELECT count(*)::int AS n FROM in_app_notifications WHERE site = $1`, [site])).rows[0].n as number;
  const balance = (await engine.db.query('SELECT wms_qty, erp_qty FROM ledger.balances WHERE site = $1 AND sku = $2', [site, sku])).rows[0];
  return { adjustments: await q('adjustments'), holds: await q('holds'), countTasks: await q('count_tasks'), notifications, balance: balance && { wms: Number(balance.wms_qty), erp: Number(balance.erp_qty) } };
}

const withinTolerance = (site: string, sku: string): DiscrepancyReportInput => ({
  // 2 of 120 at 10 each: inside class B (5 units / 2 %, value 250) → count_within_tolerance
  kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118,
  unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['counter1'],
});

describe('shadow mode', () => {
  it('decides and records what it would have done, writes nothing to the ledger; the same case acting writes one adjustment', async () => {
    const shadowSku = uniq('SKU');
    const actSku = uniq('SKU');
    await seedBalance(engine.db, { site: shadowSite, location: 'A-01-03', sku: shadowSku, wms: 120, erp: 120 });
    await seedBalance(engine.db, { site: actSite, location: 'A-01-03', sku: actSku, wms: 120, erp: 120 });
    const [shadow, acting] = await Promise.all([start(withinTolerance(shadowSite, shadowSku)), start(withinTolerance(actSite, actSku))]);
    const [s, a] = await Promise.all([closed(shadow.workflowId), closed(acting.workflowId)]);

    // shadow: the decision is the one the acting case made, recorded, not carried out
    expect(s).toMatchObject({ resolution: 'shadowed', shadow: true, decision: { action: 'auto_resolve', rule: 'count_within_tolerance', adjustQty: -2 } });
    expect(s.adjustment).toBeUndefined();
    expect(await ledgerWrites(shadowSite, shadowSku)).toEqual({ adjustments: 0, holds: 0, countTasks: 0, notifications: 0, balance: { wms: 120, erp: 120 } });
    const audit = (await engine.db.query('SELECT action, actor_id, detail, scorer_version FROM audit_log WHERE case_id = $1 ORDER BY seq', [s.caseId])).rows;
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['scored', 'decided', 'shadow_recorded', 'closed']));
    expect(audit.map((r) => r.action)).not.toContain('adjustment_posted');
    expect(audit.find((r) => r.action === 'shadow_recorded').detail).toEqual({
      action: 'auto_resolve',
      wouldHave: 'would have posted an adjustment of -2 (rule count_within_tolerance)',
      systemsOfRecord: 'untouched',
    });
    expect(audit.find((r) => r.action === 'closed').detail).toMatchObject({ resolution: 'shadowed' });
    expect(audit.find((r) => r.action === 'decided').scorer_version).toMatch(/^bayes-v2\.\d+$/);
    const outcome = (await engine.db.query('SELECT resolution, true_positive, shadow, changed FROM outcomes WHERE case_id = $1', [s.caseId])).rows[0];
    expect(outcome).toEqual({ resolution: 'shadowed', true_positive: null, shadow: true, changed: null });

    // acting: exactly one adjustment, keyed by the case
    expect(a.resolution).toBe('auto_resolved');
    expect(a.shadow).not.toBe(true);
    expect(await adjustmentsFor(engine.db, actSite, actSku)).toEqual([{ qty: -2, actor: 'rule:count_within_tolerance', idempotencyKey: `${a.caseId}:adjust` }]);
  });

  it('a case that would hold the stock or ask for a recount places no hold, creates no count task and pages nobody', async () => {
    const critical = uniq('SKU');
    const recount = uniq('SKU');
    await seedBalance(engine.db, { site: shadowSite, location: 'B-02-01', sku: critical, wms: 1000, erp: 1000 });
    await seedBalance(engine.db, { site: shadowSite, location: 'B-02-02', sku: recount, wms: 100, erp: 100 });
    const [c, r] = await Promise.all([
      // 1000 missing at 30: critical (≥ 25000) → hold, then review
      start({ kind: 'count_variance', site: shadowSite, sku: critical, location: 'B-02-01', expectedQty: 1000, observedQty: 0, unitCost: 30, skuClass: 'A', source: 'wms', sourceEventIds: [uniq('CNT')] }),
      // 20 of 100 at 5: beyond tolerance, not critical → an automatic recount
      start({ kind: 'count_variance', site: shadowSite, sku: recount, location: 'B-02-02', expectedQty: 100, observedQty: 80, unitCost: 5, skuClass: 'A', source: 'wms', sourceEventIds: [uniq('CNT')] }),
    ]);
    const [cs, rs] = await Promise.all([closed(c.workflowId), closed(r.workflowId)]);
    expect(cs).toMatchObject({ resolution: 'shadowed', decision: { action: 'hold_then_review' } });
    expect(cs.resolutionReason).toBe('shadow mode: would have held 1000 and asked ops_manager to decide');
    expect(rs).toMatchObject({ resolution: 'shadowed', decision: { action: 'recount' } });
    expect(rs.resolutionReason).toBe('shadow mode: would have created a count task for a recount');
    expect(cs.hold).toBeUndefined();
    expect(rs.recounts).toEqual([]);
    for (const [sku, wms] of [[critical, 1000], [recount, 100]] as const) {
      expect(await ledgerWrites(shadowSite, sku)).toEqual({ adjustments: 0, holds: 0, countTasks: 0, notifications: 0, balance: { wms, erp: wms } });
    }
  });

  it('the API shows shadow cases clearly: a queue filter, the flag and the resolution on the case, what it would have done', async () => {
    const sku = uniq('SKU');
    await seedBalance(engine.db, { site: shadowSite, location: 'A-01-03', sku, wms: 120, erp: 120 });
    const { workflowId, caseId } = await start(withinTolerance(shadowSite, sku));
    await closed(workflowId);
    const client = await api.as(viewer);
    const row = await eventually(async () => {
      const res = await client.get(`/v1/discrepancies/${caseId}`);
      return res.status === 200 && res.body.status === 'closed' ? res.body : undefined;
    });
    expect(row).toMatchObject({ shadow: true, resolution: 'shadowed', scorerVersion: expect.stringMatching(/^bayes-v2\.\d+$/) });
    expect(row.timeline.find((t: { action: string }) => t.action === 'shadow_recorded').detail.wouldHave).toContain('would have posted an adjustment of -2');
    expect(row.rootCauses.map((r: { cause: string }) => r.cause).sort()).toEqual([...ROOT_CAUSES].sort());
    expect(row.rootCauses.reduce((s: number, r: { probability: number }) => s + r.probability, 0)).toBeCloseTo(1, 3);
    expect(row.topFactors.length).toBeGreaterThan(0);

    const shadowOnly = await client.get(`/v1/discrepancies?shadow=true&site=${shadowSite},${actSite}&limit=200`);
    expect(shadowOnly.status).toBe(200);
    expect(shadowOnly.body.items.map((i: { id: string }) => i.id)).toContain(caseId);
    expect(shadowOnly.body.items.every((i: { shadow: boolean; site: string }) => i.shadow && i.site === shadowSite)).toBe(true);
    const acting = await client.get(`/v1/discrepancies?shadow=false&site=${shadowSite},${actSite}&limit=200`);
    expect(acting.body.items.length).toBeGreaterThan(0);
    expect(acting.body.items.every((i: { shadow: boolean; site: string }) => !i.shadow && i.site === actSite)).toBe(true);
    expect((await client.get('/v1/discrepancies?shadow=maybe')).status).toBe(400);
  });
});

describe('learning from outcomes', () => {
  const shortReceipt = (sku: string): DiscrepancyReportInput => ({
    // a short carton: not recountable, so it goes straight to people
    kind: 'receiving_variance', site: learnSite, sku, location: 'R-01', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 24, observedQty: 20, unitCost: 5, skuClass: 'C', source: 'wms', sourceEventIds: [uniq('RCV')],
  });

  async function awaitingApproval(input: DiscrepancyReportInput) {
    await seedBalance(engine.db, { site: learnSite, location: 'R-01', sku: input.sku, wms: 20, erp: 20 });
    const { workflowId, caseId } = await start(input);
    // approvers act on the read model's row (the API looks the case up there)
    const state = await waitForStatus(engine.client, workflowId, ['awaiting_approval'], 30_000, engine.db);
    return { workflowId, caseId, score: state.score! };
  }

  const shrinkOf = (score: CaseState['score']) => score!.rootCauses!.find((r) => r.cause === 'shrink')!.probability;

  it('approvals confirming theft raise the probability of shrink for the next such case, under a new model version', async () => {
    const first = await awaitingApproval(shortReceipt(uniq('SKU')));
    const firstVersion = Number(first.score.scorerVersion.split('.')[1]);

    const confirmed = [first, ...(await Promise.all(Array.from({ length: 5 }, () => awaitingApproval(shortReceipt(uniq('SKU'))))))];
    const client = await api.as(approver);
    for (const c of confirmed) {
      const res = await client.post(`/v1/discrepancies/${c.caseId}/approve`, { reasonCode: 'THEFT', comment: 'seen on camera' });
      expect(res.status).toBe(200);
    }
    await Promise.all(confirmed.map((c) => closed(c.workflowId)));
    const outcomes = (await engine.db.query(
      'SELECT confirmed_cause, cause_source, changed, true_positive, features IS NOT NULL AS has_features FROM outcomes WHERE case_id = ANY($1)',
      [confirmed.map((c) => c.caseId)],
    )).rows;
    expect(outcomes).toHaveLength(6);
    expect(outcomes.every((o) => o.confirmed_cause === 'shrink' && o.cause_source === 'reason_code' && o.changed && o.true_positive && o.has_features)).toBe(true);

    const later = await awaitingApproval(shortReceipt(uniq('SKU')));
    expect(later.score.model!.features).toEqual(first.score.model!.features);
    expect(Number(later.score.scorerVersion.split('.')[1])).toBeGreaterThan(firstVersion);
    expect(shrinkOf(later.score)).toBeGreaterThan(shrinkOf(first.score));
    // six verdicts that the variance was real: the confidence that it is real does not fall
    expect(later.score.confidence).toBeGreaterThanOrEqual(first.score.confidence);
    const fit = (await engine.db.query('SELECT params FROM scorer_models WHERE version = $1', [Number(later.score.scorerVersion.split('.')[1])])).rows[0];
    expect(fit.params.fittedOn.causeLabels).toBeGreaterThanOrEqual(6);

    // an outcome is recorded once per case, however often the closing transition is retried
    const closedState = await engine.client.workflow.getHandle(first.workflowId).query(stateQuery, {});
    await recordOutcome(engine.db, closedState);
    expect((await engine.db.query('SELECT count(*)::int AS n FROM outcomes WHERE case_id = $1', [first.caseId])).rows[0].n).toBe(1);
  });
});
