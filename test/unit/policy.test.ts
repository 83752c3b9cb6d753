import {
  AUTO_RULE_NAMES,
  DEFAULT_POLICY,
  DEFAULT_POLICY_INPUT,
  DurationText,
  PolicyDocument,
  SEVERITIES,
  durationMs,
} from '../../src/domain';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('durationMs', () => {
  it.each([
    ['90s', 90 * SECOND],
    ['1s', 1 * SECOND],
    ['30m', 30 * MINUTE],
    ['4h', 4 * HOUR],
    ['2d', 2 * DAY],
    ['1h30m', 1 * HOUR + 30 * MINUTE],
    ['1d12h', 1 * DAY + 12 * HOUR],
    ['1d2h3m4s', 1 * DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['0h45m', 45 * MINUTE],
    ['90m', 90 * MINUTE],
    ['36h', 36 * HOUR],
  ])('%s = %d ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['4', 'h', '4 h', '4H', '1.5h', '-1h', '30m1h', '1w', '4hours', 'PT4H'])('throws on %j', (text) => {
    expect(() => durationMs(text)).toThrow(/not a duration/);
  });
});

describe('DurationText (as policies accept it)', () => {
  it.each(['90s', '30m', '4h', '2d', '1h30m', '1d2h3m4s'])('accepts %s', (text) => {
    expect(DurationText.safeParse(text).success).toBe(true);
  });
  it.each(['', '0s', '0h0m', '4', '4 h', '1.5h', '30m1h', '1w', '1d2h3m4s5s'])('rejects %j', (text) => {
    expect(DurationText.safeParse(text).success).toBe(false);
  });
});

// policies arrive as untyped JSON; the tests edit them as such
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A deep copy of the default input, edited by `edit`. */
function policyWith(edit: (p: Json) => void): unknown {
  const p = JSON.parse(JSON.stringify(DEFAULT_POLICY_INPUT)) as Json;
  edit(p);
  return p;
}

function failingPaths(input: unknown): string[] {
  const res = PolicyDocument.safeParse(input);
  if (res.success) return [];
  const paths = res.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.')],
  );
  return [...new Set(paths)].sort();
}

describe('the default policy', () => {
  it('parses, and parsing it again changes nothing', () => {
    expect(PolicyDocument.safeParse(DEFAULT_POLICY_INPUT).success).toBe(true);
    expect(PolicyDocument.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
    expect(PolicyDocument.parse(JSON.parse(JSON.stringify(DEFAULT_POLICY)))).toEqual(DEFAULT_POLICY);
  });

  it('has a ladder for every severity and every ladder role has an approval limit', () => {
    for (const s of SEVERITIES) {
      const ladder = DEFAULT_POLICY.ladders[s];
      expect(ladder.rungs.length).toBeGreaterThan(0);
      for (const role of [...ladder.rungs.map((r) => r.role), ladder.terminal.role]) {
        expect(DEFAULT_POLICY.approval.limits[role]).toBeGreaterThan(0);
      }
    }
  });

  it('names every auto-resolution rule once, each with a minimum confidence and a maximum value', () => {
    const names = DEFAULT_POLICY.autoResolution.rules.map((r) => r.name);
    expect([...names].sort()).toEqual([...AUTO_RULE_NAMES].sort());
    for (const r of DEFAULT_POLICY.autoResolution.rules) {
      expect(r.enabled).toBe(true);
      expect(r.minConfidence).toBeGreaterThan(0);
      expect(r.minConfidence).toBeLessThanOrEqual(1);
      expect(r.maxValue).toBeGreaterThan(0);
    }
  });

  it('A items are held tighter than B, and B tighter than C', () => {
    const { A, B, C } = DEFAULT_POLICY.tolerances.byClass;
    for (const k of ['pct', 'units', 'value'] as const) {
      expect(A[k]).toBeLessThanOrEqual(B[k]);
      expect(B[k]).toBeLessThanOrEqual(C[k]);
    }
  });

  it('fills defaults: segregation of duties on, recount kinds, no overrides when none given', () => {
    const p = PolicyDocument.parse(
      policyWith((d) => {
        delete d.segregationOfDuties;
        delete d.autoAdjustReasonCode;
        delete d.recounts.kinds;
        delete d.tolerances.overrides;
        delete d.severity.kindFloor;
      }),
    );
    expect(p.segregationOfDuties).toBe(true);
    expect(p.autoAdjustReasonCode).toBe('CYCLE_COUNT');
    expect(p.recounts.kinds).toEqual(['count_variance', 'negative_inventory', 'phantom_stock', 'system_mismatch']);
    expect(p.tolerances.overrides).toEqual([]);
    expect(p.severity.kindFloor).toEqual({});
  });
});

describe('PolicyDocument: a bad policy names its paths', () => {
  it.each<[string, (p: Json) => void, string[]]>([
    ['no name', (p) => delete p.name, ['name']],
    ['empty name', (p) => (p.name = ''), ['name']],
    ['an unknown top-level field', (p) => (p.tolerence = {}), ['tolerence']],
    ['a class missing from byClass', (p) => delete p.tolerances.byClass.B, ['tolerances.byClass.B']],
    ['an unknown class', (p) => (p.tolerances.byClass.D = { pct: 1, units: 1, value: 1 }), ['tolerances.byClass.D']],
    ['a negative percent', (p) => (p.tolerances.byClass.A.pct = -1), ['tolerances.byClass.A.pct']],
    ['a percent above 100', (p) => (p.tolerances.byClass.C.pct = 101), ['tolerances.byClass.C.pct']],
    ['negative units', (p) => (p.tolerances.byClass.A.units = -2), ['tolerances.byClass.A.units']],
    ['units as text', (p) => (p.tolerances.byClass.A.units = '2'), ['tolerances.byClass.A.units']],
    ['a tolerance without value', (p) => delete p.tolerances.byClass.A.value, ['tolerances.byClass.A.value']],
    ['an override with an unknown process', (p) => p.tolerances.overrides.push({ process: 'shipping', pct: 1 }), ['tolerances.overrides.1.process']],
    ['an override with an unknown field', (p) => p.tolerances.overrides.push({ site: 'DC1', units: 1, bin: 'A' }), ['tolerances.overrides.1.bin']],
    ['an override with a negative value', (p) => (p.tolerances.overrides[0].value = -5), ['tolerances.overrides.0.value']],
    ['critical below high', (p) => ((p.severity.highFromValue = 5000), (p.severity.criticalFromValue = 4000)), ['severity.criticalFromValue']],
    ['an unknown kind in kindFloor', (p) => (p.severity.kindFloor.stock_vanished = 'high'), ['severity.kindFloor.stock_vanished']],
    ['an unknown severity in kindFloor', (p) => (p.severity.kindFloor.negative_inventory = 'urgent'), ['severity.kindFloor.negative_inventory']],
    ['an unknown rule name', (p) => (p.autoResolution.rules[0].name = 'explained_by_magic'), ['autoResolution.rules.0.name']],
    ['a minimum confidence above 1', (p) => (p.autoResolution.rules[2].minConfidence = 1.2), ['autoResolution.rules.2.minConfidence']],
    ['a negative maximum value', (p) => (p.autoResolution.rules[5].maxValue = -1), ['autoResolution.rules.5.maxValue']],
    ['a rule without a minimum confidence', (p) => delete p.autoResolution.rules[1].minConfidence, ['autoResolution.rules.1.minConfidence']],
    ['six automatic recounts', (p) => (p.recounts.automatic = 6), ['recounts.automatic']],
    ['a fractional recount count', (p) => (p.recounts.automatic = 1.5), ['recounts.automatic']],
    ['a recount timeout that is not a duration', (p) => (p.recounts.timeout = '24 hours'), ['recounts.timeout']],
    ['a zero recount timeout', (p) => (p.recounts.timeout = '0h'), ['recounts.timeout']],
    ['an unknown kind in recount kinds', (p) => (p.recounts.kinds = ['count_variance', 'guess']), ['recounts.kinds.1']],
    ['a missing ladder', (p) => delete p.ladders.high, ['ladders.high']],
    ['a ladder without rungs', (p) => (p.ladders.review.rungs = []), ['ladders.review.rungs']],
    ['eleven rungs', (p) => (p.ladders.info.rungs = Array.from({ length: 11 }, () => ({ role: 'inventory_control', sla: '1h' }))), ['ladders.info.rungs']],
    ['a rung with a bad SLA', (p) => (p.ladders.critical.rungs[1].sla = 'soon'), ['ladders.critical.rungs.1.sla']],
    ['a rung role in CamelCase', (p) => (p.ladders.high.rungs[0].role = 'SiteSupervisor'), ['ladders.high.rungs.0.role']],
    ['an unknown terminal action', (p) => (p.ladders.review.terminal.action = 'shrug'), ['ladders.review.terminal.action']],
    ['an approval limit for a bad role name', (p) => (p.approval.limits['Ops Manager'] = 5), ['approval.limits.Ops Manager']],
    ['a negative approval limit', (p) => (p.approval.limits.finance = -1), ['approval.limits.finance']],
    ['no four-eyes threshold', (p) => delete p.approval.fourEyesAbove, ['approval.fourEyesAbove']],
    ['segregation of duties as text', (p) => (p.segregationOfDuties = 'yes'), ['segregationOfDuties']],
    [
      'several mistakes at once',
      (p) => {
        p.name = '';
        p.tolerances.byClass.A.pct = 200;
        p.ladders.critical.rungs[0].sla = '1x';
      },
      ['ladders.critical.rungs.0.sla', 'name', 'tolerances.byClass.A.pct'],
    ],
  ])('%s', (_name, edit, paths) => {
    expect(failingPaths(policyWith(edit))).toEqual([...paths].sort());
  });

  it.each([null, 'policy', 42, []])('rejects a non-object (%j)', (input) => {
    expect(PolicyDocument.safeParse(input).success).toBe(false);
  });

  it('accepts critical equal to high (one tier collapses)', () => {
    const input = policyWith((p) => ((p.severity.highFromValue = 1000), (p.severity.criticalFromValue = 1000)));
    expect(failingPaths(input)).toEqual([]);
  });

  it('accepts a disabled rule and keeps it disabled', () => {
    const p = PolicyDocument.parse(policyWith((d) => (d.autoResolution.rules[0].enabled = false)));
    expect(p.autoResolution.rules[0].enabled).toBe(false);
  });
});

