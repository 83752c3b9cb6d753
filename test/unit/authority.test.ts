import {
  DEFAULT_POLICY,
  DiscrepancyReport,
  Refusal,
  actingRoles,
  approvalLimit,
  approvalsRequired,
  approvalsRequiredFor,
  checkCanAct,
  checkDecision,
  coversSite,
  decisionValue,
  defaultAdjustment,
  type Actor,
  type ApprovalRecord,
  type CaseState,
  type CaseStatus,
  type PolicyDocument,
  type Severity,
} from '../../src/domain';

const P = DEFAULT_POLICY;
const LIMIT = P.approval.limits; // inventory_control 1000, site_supervisor 10000, ops_manager 100000, finance 1e7
const FOUR_EYES = P.approval.fourEyesAbove; // 5000

const report = DiscrepancyReport.parse({
  kind: 'count_variance',
  site: 'DC1',
  sku: 'SKU-1',
  location: 'A-01-03',
  expectedQty: 100,
  observedQty: 90,
  unitCost: 1,
  source: 'wms',
  causedBy: ['counter7'],
});

function caseState(s: { status?: CaseStatus; severity?: Severity; level?: number; value?: number; involved?: string[]; approvals?: string[] } = {}): CaseState {
  const approvals: ApprovalRecord[] = (s.approvals ?? []).map((userId) => ({ userId, role: 'site_supervisor', adjustQty: -10, reasonCode: 'CC', at: '2026-11-22T09:00:00Z' }));
  return {
    caseId: 'c-1',
    workflowId: 'disc-count_variance-DC1-SKU-1-0000000000000000',
    dedupeKey: 'count_variance|DC1|SKU-1|A-01-03|',
    report,
    occurrences: 1,
    sourceEventIds: [],
    status: s.status ?? 'awaiting_approval',
    policyVersion: 1,
    expectedQty: 100,
    observedQty: 90,
    assessment: s.value === undefined ? undefined : { variance: -10, valueAtRisk: s.value, severity: s.severity ?? 'review', tolerance: { within: false, limits: { pct: 0, units: 0, value: 0 }, variancePct: 10, varianceValue: s.value } },
    recounts: [],
    involvedUsers: s.involved ?? ['counter7'],
    severity: s.severity ?? 'review',
    escalationLevel: s.level ?? 0,
    breached: false,
    approvals,
    comments: [],
    resolution: s.status === 'closed' ? 'approved_adjusted' : undefined,
    openedAt: '2026-11-22T08:00:00Z',
    seq: 1,
    writeAttempt: 0,
  };
}

const actor = (userId: string, roles: string[], sites: string[] = ['DC1']): Actor => ({ userId, roles, sites });

/** [kind, code] of a refusal, or null. */
const verdict = (r: Refusal | null) => (r ? [r.kind, r.code] : null);

describe('coversSite', () => {
  it.each<[string[], string, boolean]>([
    [['DC1'], 'DC1', true],
    [['DC1', 'DC2'], 'DC2', true],
    [['*'], 'DC9', true],
    [['DC2'], 'DC1', false],
    [[], 'DC1', false],
    [['dc1'], 'DC1', false],
  ])('sites %j cover %s: %s', (sites, site, covered) => {
    expect(coversSite(actor('u', [], sites), site)).toBe(covered);
  });
});

describe('actingRoles and approvalLimit: what an actor may use at the current rung', () => {
  it.each<[Severity, number, string[], string[], { role: string; limit: number } | null]>([
    ['review', 0, ['inventory_control', 'viewer'], ['inventory_control'], { role: 'inventory_control', limit: LIMIT.inventory_control }],
    ['review', 0, ['inventory_control', 'site_supervisor'], ['inventory_control', 'site_supervisor'], { role: 'site_supervisor', limit: LIMIT.site_supervisor }],
    ['review', 1, ['inventory_control', 'site_supervisor'], ['site_supervisor'], { role: 'site_supervisor', limit: LIMIT.site_supervisor }],
    ['review', 2, ['ops_manager'], ['ops_manager'], { role: 'ops_manager', limit: LIMIT.ops_manager }],
    ['critical', 0, ['finance', 'inventory_control'], ['finance'], { role: 'finance', limit: LIMIT.finance }],
    ['high', 0, ['admin'], ['admin'], { role: 'admin', limit: Infinity }],
    ['high', 0, ['viewer', 'integration'], [], null],
  ])('%s ladder, rung %d, roles %j → acting %j', (severity, level, roles, acting, limit) => {
    const s = caseState({ severity, level });
    const a = actor('u1', roles);
    expect(actingRoles(P, s, a)).toEqual(acting);
    expect(approvalLimit(P, s, a)).toEqual(limit);
  });
});

describe('checkCanAct: site scope, role on the ladder, open case', () => {
  it.each<[string, Partial<Parameters<typeof caseState>[0]>, Actor, [string, string] | null]>([
    ['an inventory controller at DC1 on a review case', {}, actor('ic1', ['inventory_control']), null],
    ['a supervisor (a higher rung) on a review case', {}, actor('ss1', ['site_supervisor']), null],
    ['the terminal role on a review case', {}, actor('om1', ['ops_manager']), null],
    ['an admin', {}, actor('root', ['admin'], ['*']), null],
    ['every-site access', {}, actor('ic2', ['inventory_control'], ['*']), null],
    // site scope → forbidden
    ['an approver for another site', {}, actor('ic3', ['inventory_control'], ['DC2']), ['forbidden', 'site_scope']],
    ['an admin scoped to another site', {}, actor('root2', ['admin'], ['DC2']), ['forbidden', 'site_scope']],
    ['no sites at all', {}, actor('ic4', ['inventory_control'], []), ['forbidden', 'site_scope']],
    // role not on the ladder at or above the current rung → forbidden
    ['a viewer', {}, actor('v1', ['viewer']), ['forbidden', 'role']],
    ['no roles', {}, actor('n1', []), ['forbidden', 'role']],
    ['an integration key', {}, actor('erp', ['integration']), ['forbidden', 'role']],
    ['finance on a review case (not on that ladder)', {}, actor('f1', ['finance']), ['forbidden', 'role']],
    ['an inventory controller once escalated to the supervisor', { level: 1 }, actor('ic1', ['inventory_control']), ['forbidden', 'role']],
    ['an inventory controller on a high case', { severity: 'high' }, actor('ic1', ['inventory_control']), ['forbidden', 'role']],
    ['a supervisor on a critical case', { severity: 'critical' }, actor('ss1', ['site_supervisor']), ['forbidden', 'role']],
    ['the terminal role after the last rung', { level: 2 }, actor('om1', ['ops_manager']), null],
    ['a supervisor after the last rung', { level: 2 }, actor('ss1', ['site_supervisor']), ['forbidden', 'role']],
    // closed → conflict
    ['a closed case', { status: 'closed' }, actor('ic1', ['inventory_control']), ['conflict', 'closed']],
    // the actor's access is checked before the case's state is revealed
    ['a closed case at another site', { status: 'closed' }, actor('ic3', ['inventory_control'], ['DC2']), ['forbidden', 'site_scope']],
    // recount, assign, comment do not need awaiting_approval
    ['a case awaiting a recount', { status: 'awaiting_recount' }, actor('ic1', ['inventory_control']), null],
  ])('%s', (_name, s, a, want) => {
    expect(verdict(checkCanAct(P, caseState(s), a, 'recount'))).toEqual(want);
  });

  it('a refusal names the roles that could act', () => {
    const r = checkCanAct(P, caseState({ level: 1 }), actor('ic1', ['inventory_control']), 'approve');
    expect(r).toBeInstanceOf(Refusal);
    expect(r!.message).toContain('site_supervisor');
    expect(r!.message).toContain('ops_manager');
    expect(r!.message).not.toContain('needs one of inventory_control');
  });
});

describe('checkDecision: approve and reject', () => {
  const sup = actor('ss1', ['site_supervisor']);
  const ic = actor('ic1', ['inventory_control']);

  it.each<[string, 'approve' | 'reject', Parameters<typeof caseState>[0], Actor, [string, string] | null]>([
    ['approve within the limit', 'approve', { value: LIMIT.inventory_control }, ic, null],
    ['reject', 'reject', { value: 50 }, ic, null],
    // state → conflict
    ...(['opened', 'gathering_evidence', 'scoring', 'deciding', 'auto_resolving', 'awaiting_recount'] as const).flatMap(
      (status) => [
        [`approve while ${status}`, 'approve', { status, value: 10 }, ic, ['conflict', 'state']],
        [`reject while ${status}`, 'reject', { status, value: 10 }, ic, ['conflict', 'state']],
      ] as [string, 'approve' | 'reject', Parameters<typeof caseState>[0], Actor, [string, string]][],
    ),
    ['approve a closed case', 'approve', { status: 'closed', value: 10 }, ic, ['conflict', 'closed']],
    // segregation of duties → refused
    ['approve by the user who counted', 'approve', { value: 10, involved: ['counter7', 'ic1'] }, ic, ['refused', 'segregation_of_duties']],
    ['reject by the user who counted', 'reject', { value: 10, involved: ['ic1'] }, ic, ['refused', 'segregation_of_duties']],
    ['an admin who took part is barred too', 'approve', { value: 10, involved: ['root'] }, actor('root', ['admin'], ['*']), ['refused', 'segregation_of_duties']],
    // approval limits → refused
    ['approve a cent over the inventory controller limit', 'approve', { value: LIMIT.inventory_control + 0.01 }, ic, ['refused', 'approval_limit']],
    ['the supervisor may approve it', 'approve', { value: LIMIT.inventory_control + 0.01 }, sup, null],
    ['with two roles the higher limit applies', 'approve', { value: LIMIT.inventory_control + 0.01 }, actor('x1', ['inventory_control', 'site_supervisor']), null],
    ['a limit from a role escalated past does not count', 'approve', { level: 1, value: LIMIT.site_supervisor + 1 }, actor('x2', ['site_supervisor', 'finance']), ['refused', 'approval_limit']],
    ['an admin has no limit', 'approve', { value: 9_999_999 }, actor('root', ['admin'], ['*']), null],
    ['reject is not bound by the approval limit', 'reject', { value: LIMIT.inventory_control * 10 }, ic, null],
    // the same approver twice → refused
    ['the first approver approving again', 'approve', { value: FOUR_EYES + 1, approvals: ['ss1'] }, sup, ['refused', 'four_eyes']],
    ['a second, different approver', 'approve', { value: FOUR_EYES + 1, approvals: ['ss1'] }, actor('ss2', ['site_supervisor']), null],
  ])('%s', (_name, action, s, a, want) => {
    expect(verdict(checkDecision(P, caseState(s), a, action))).toEqual(want);
  });

  it('segregation of duties can be switched off by policy', () => {
    const p: PolicyDocument = { ...P, segregationOfDuties: false };
    expect(checkDecision(p, caseState({ value: 10, involved: ['ic1'] }), ic, 'approve')).toBeNull();
  });

  it('a ladder role without an approval limit may reject but not approve', () => {
    const p: PolicyDocument = { ...P, approval: { ...P.approval, limits: { site_supervisor: 10_000 } } };
    expect(verdict(checkDecision(p, caseState({ value: 10 }), ic, 'approve'))).toEqual(['forbidden', 'role']);
    expect(checkDecision(p, caseState({ value: 10 }), ic, 'reject')).toBeNull();
  });

  it('refusal messages say why, for the API to pass on', () => {
    expect(checkDecision(P, caseState({ value: 1500 }), ic, 'approve')!.message).toBe(
      `value 1500 exceeds the inventory_control limit of ${LIMIT.inventory_control}`,
    );
    expect(checkDecision(P, caseState({ value: 10, involved: ['ic1'] }), ic, 'approve')!.message).toMatch(/ic1 took part/);
  });
});

describe('approvalsRequired: four eyes above the threshold', () => {
  it.each([
    [0, 1],
    [FOUR_EYES - 0.01, 1],
    [FOUR_EYES, 1],
    [FOUR_EYES + 0.01, 2],
    [1_000_000, 2],
  ])('value %d → %d approver(s)', (value, n) => {
    expect(approvalsRequired(P, value)).toBe(n);
  });

  it('a case above the threshold needs two different people, each within their limit', () => {
    const value = FOUR_EYES + 1000; // 6000: above four eyes, inside the supervisor limit
    const first = actor('ss1', ['site_supervisor']);
    const second = actor('ss2', ['site_supervisor']);
    const ic = actor('ic1', ['inventory_control']);
    const s = caseState({ value });
    expect(approvalsRequired(P, value)).toBe(2);
    expect(checkDecision(P, s, first, 'approve')).toBeNull();
    s.approvals.push({ userId: 'ss1', role: 'site_supervisor', adjustQty: -10, reasonCode: 'CC', at: '2026-11-22T09:00:00Z' });
    expect(verdict(checkDecision(P, s, first, 'approve'))).toEqual(['refused', 'four_eyes']);
    expect(verdict(checkDecision(P, s, ic, 'approve'))).toEqual(['refused', 'approval_limit']);
    expect(checkDecision(P, s, second, 'approve')).toBeNull();
  });
});

describe('the adjustment an approver posts is bounded and is what the limits judge', () => {
  // a 50-value case: 10 units short at 5 each
  const fifty = (over: Parameters<typeof caseState>[0] = {}): CaseState => {
    const s = caseState({ value: 50, ...over });
    return { ...s, report: { ...s.report, unitCost: 5 } };
  };
  const sup = actor('ss1', ['site_supervisor']); // limit 10 000
  const capped: PolicyDocument = { ...P, approval: { ...P.approval, adjustCap: 2_000_000 } };

  it.each<[string, PolicyDocument, { adjustQty?: number; comment?: string }, [string, string] | null]>([
    ['the variance in force (the default)', P, {}, null],
    ['part of the variance', P, { adjustQty: -4 }, null],
    ['no adjustment at all', P, { adjustQty: 0 }, null],
    ['a million-unit write-off on a 50 case', P, { adjustQty: -1_000_000 }, ['refused', 'adjust_qty']],
    ['one unit more than the variance', P, { adjustQty: -11 }, ['refused', 'adjust_qty']],
    ['the reverse direction', P, { adjustQty: 10 }, ['refused', 'adjust_qty']],
    ['beyond the variance under a policy cap, without a reason', capped, { adjustQty: -12 }, ['refused', 'adjust_qty']],
    ['beyond the variance under a policy cap, with a reason', capped, { adjustQty: -12, comment: 'two more found broken in the bin' }, null],
    ['beyond the policy cap even with a reason', capped, { adjustQty: -2_000_001, comment: 'because' }, ['refused', 'adjust_qty']],
    // within the cap and with a reason, the posted value (1 000 000 × 5) is what the limit sees
    ['a million units under the cap: above the supervisor limit', capped, { adjustQty: -1_000_000, comment: 'write it all off' }, ['refused', 'approval_limit']],
  ])('%s', (_name, policy, ask, want) => {
    expect(verdict(checkDecision(policy, fifty(), sup, 'approve', ask))).toEqual(want);
  });

  it('judges limits and four eyes by |adjustQty| × unit cost, not only the value at risk', () => {
    const s = fifty();
    expect(decisionValue(s, -4)).toBe(50); // the detected value is the floor
    expect(decisionValue(s, -1_001)).toBe(5005);
    const ask = { adjustQty: -1_001, comment: 'the whole pallet is gone' };
    const ic = actor('ic1', ['inventory_control']); // limit 1000
    expect(verdict(checkDecision(capped, s, ic, 'approve', ask))).toEqual(['refused', 'approval_limit']);
    expect(checkDecision(capped, s, sup, 'approve', ask)).toBeNull();
    // once the supervisor approved 1001 units (5005 > four eyes at 5000) a second person must approve
    expect(approvalsRequiredFor(capped, s)).toBe(1);
    s.approvals.push({ userId: 'ss1', role: 'site_supervisor', adjustQty: -1_001, reasonCode: 'CC', comment: ask.comment, at: '2026-11-22T09:00:00Z' });
    expect(approvalsRequiredFor(capped, s)).toBe(2);
    // the second approver is judged by the first approval's adjustment
    expect(verdict(checkDecision(capped, s, ic, 'approve'))).toEqual(['refused', 'approval_limit']);
    expect(checkDecision(capped, s, actor('ss2', ['site_supervisor']), 'approve')).toBeNull();
  });
});

describe('a booked pattern (shrink, drift): approving confirms its cause and posts nothing unless told', () => {
  // 15 units lost by one user against peers' 2: the losses are already adjusted out of the books
  const shrink = (): CaseState => {
    const s = caseState({ value: 260 });
    return { ...s, report: { ...s.report, kind: 'shrink_pattern', location: undefined, unitCost: 20 }, expectedQty: 2, observedQty: 15 };
  };
  const lp = actor('lp1', ['loss_prevention']);

  it('posts no adjustment by default (the variance would put the lost stock back)', () => {
    expect(defaultAdjustment(shrink())).toBe(0);
    expect(defaultAdjustment(caseState())).toBe(-10);
    expect(checkDecision(P, shrink(), lp, 'approve')).toBeNull();
  });

  it.each<[string, number, [string, string] | null]>([
    ['more units found missing, up to the pattern\'s size', -3, null],
    ['units found after all', 3, null],
    ['more than the pattern\'s size', -14, ['refused', 'adjust_qty']],
  ])('an approver may name a quantity either way within the pattern: %s', (_name, adjustQty, want) => {
    expect(verdict(checkDecision(P, shrink(), lp, 'approve', { adjustQty }))).toEqual(want);
  });
});
