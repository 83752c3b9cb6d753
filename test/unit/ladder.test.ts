import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_INPUT,
  Ladder,
  PolicyDocument,
  SEVERITIES,
  describeRung,
  ladderFor,
  positionOn,
  recountTimeoutFor,
  rolesAtOrAbove,
  type Severity,
} from '../../src/domain';

const HOUR = 3_600_000;

/** Three rungs, a role repeated, a terminal role that is also a rung. */
const ladder = Ladder.parse({
  rungs: [
    { role: 'inventory_control', sla: '8h' },
    { role: 'site_supervisor', sla: '30m' },
    { role: 'ops_manager', sla: '1d' },
  ],
  terminal: { action: 'hold_and_page', role: 'ops_manager' },
});

describe('ladderFor', () => {
  it.each(SEVERITIES.map((s) => [s]))('returns the policy ladder for %s', (severity) => {
    expect(ladderFor(DEFAULT_POLICY, severity as Severity)).toBe(DEFAULT_POLICY.ladders[severity as Severity]);
  });

  it.each<[Severity, string]>([
    ['info', 'inventory_control'],
    ['review', 'inventory_control'],
    ['high', 'site_supervisor'],
    ['critical', 'ops_manager'],
  ])('the default %s ladder starts with %s', (severity, role) => {
    expect(positionOn(ladderFor(DEFAULT_POLICY, severity), 0).role).toBe(role);
  });
});

describe('positionOn', () => {
  it.each([
    [0, { level: 0, role: 'inventory_control', slaMs: 8 * HOUR, exhausted: false }],
    [1, { level: 1, role: 'site_supervisor', slaMs: 0.5 * HOUR, exhausted: false }],
    [2, { level: 2, role: 'ops_manager', slaMs: 24 * HOUR, exhausted: false }],
    // past the last rung: the terminal role, no further SLA
    [3, { level: 3, role: 'ops_manager', slaMs: 0, exhausted: true }],
    [7, { level: 3, role: 'ops_manager', slaMs: 0, exhausted: true }],
  ])('level %d', (level, position) => {
    expect(positionOn(ladder, level)).toEqual(position);
  });

  it('the total time before the terminal action is the sum of the SLAs', () => {
    const total = ladder.rungs.reduce((t, _r, i) => t + positionOn(ladder, i).slaMs, 0);
    expect(total).toBe(8 * HOUR + 0.5 * HOUR + 24 * HOUR);
  });
});

describe('rolesAtOrAbove: who may act at a rung', () => {
  it.each<[number, string[]]>([
    [0, ['inventory_control', 'site_supervisor', 'ops_manager']],
    // escalation takes the case away from the lower rung
    [1, ['site_supervisor', 'ops_manager']],
    [2, ['ops_manager']],
    [3, ['ops_manager']],
    [10, ['ops_manager']],
  ])('level %d → %j', (level, roles) => {
    expect(rolesAtOrAbove(ladder, level)).toEqual(roles);
  });

  it('includes a terminal role that is on no rung', () => {
    const l = Ladder.parse({ rungs: [{ role: 'inventory_control', sla: '1h' }], terminal: { action: 'page_only', role: 'finance' } });
    expect(rolesAtOrAbove(l, 0)).toEqual(['inventory_control', 'finance']);
    expect(rolesAtOrAbove(l, 1)).toEqual(['finance']);
  });

  it.each<[Severity, number, string[]]>([
    ['review', 0, ['inventory_control', 'site_supervisor', 'ops_manager']],
    ['review', 1, ['site_supervisor', 'ops_manager']],
    ['high', 0, ['site_supervisor', 'ops_manager']],
    ['critical', 0, ['ops_manager', 'finance']],
    ['critical', 2, ['finance']],
  ])('default %s ladder at level %d → %j', (severity, level, roles) => {
    expect(rolesAtOrAbove(DEFAULT_POLICY.ladders[severity], level)).toEqual(roles);
  });
});

describe('describeRung', () => {
  it.each([
    [0, 'SLA: inventory_control, 8h (rung 1/3)'],
    [1, 'SLA: site_supervisor, 30m (rung 2/3)'],
    [2, 'SLA: ops_manager, 1d (rung 3/3)'],
    [3, 'terminal: hold_and_page → ops_manager'],
  ])('level %d: %s', (level, text) => {
    expect(describeRung(ladder, level)).toBe(text);
  });
});

describe('recountTimeoutFor: how long a count task waits at a site', () => {
  const policy = PolicyDocument.parse({
    ...DEFAULT_POLICY_INPUT,
    recounts: { ...DEFAULT_POLICY_INPUT.recounts, timeout: '24h', timeoutBySite: { 'DC-NIGHT': '36h' } },
  });

  it.each([
    ['DC-NIGHT', '36h'],
    ['DC1', '24h'],
  ])('%s waits %s', (site, wait) => {
    expect(recountTimeoutFor(policy, site)).toBe(wait);
  });

  it('a policy without per-site waits (the default, or one pinned before they existed) uses its own', () => {
    expect(DEFAULT_POLICY.recounts.timeoutBySite).toEqual({});
    const { timeoutBySite: _dropped, ...pinnedEarlier } = policy.recounts;
    expect(recountTimeoutFor({ recounts: pinnedEarlier as PolicyDocument['recounts'] }, 'DC-NIGHT')).toBe('24h');
  });

  it('refuses a per-site wait that is not a duration, naming the site', () => {
    const res = PolicyDocument.safeParse({
      ...DEFAULT_POLICY_INPUT,
      recounts: { ...DEFAULT_POLICY_INPUT.recounts, timeoutBySite: { 'DC-NIGHT': 'tomorrow' } },
    });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join('.'))).toContain('recounts.timeoutBySite.DC-NIGHT');
  });
});
