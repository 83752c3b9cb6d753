import { DEFAULT_POLICY, DEFAULT_POLICY_INPUT, effectivePolicy, isShadow, PolicyDocument, policySources, reasonCodeRefusal, reasonCodesFor, recountTimeoutFor, scorerOf } from '../../src/domain';

const withLayers = (overrides: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  PolicyDocument.parse({ ...DEFAULT_POLICY_INPUT, ...extra, overrides });

describe('site layers', () => {
  it('objects merge key by key, arrays replace, and other sites keep the global policy', () => {
    const doc = withLayers({ DC1: { tolerances: { byClass: { A: { pct: 0.5 } } }, ladders: { high: { rungs: [{ role: 'ops_manager', sla: '1h' }] } } } });
    const dc1 = effectivePolicy({ version: 7, document: doc }, 'DC1');
    expect(dc1.layer).toBe('DC1');
    expect(dc1.version).toBe(7);
    expect(dc1.document.tolerances.byClass.A).toEqual({ ...DEFAULT_POLICY.tolerances.byClass.A, pct: 0.5 });
    expect(dc1.document.ladders.high).toEqual({ rungs: [{ role: 'ops_manager', sla: '1h' }], terminal: DEFAULT_POLICY.ladders.high.terminal });
    expect(dc1.document.overrides).toEqual({});
    const dc2 = effectivePolicy({ version: 7, document: doc }, 'DC2');
    expect(dc2.layer).toBeUndefined();
    expect(dc2.document.ladders.high).toEqual(DEFAULT_POLICY.ladders.high);
  });

  it('a layer setting the scorer, shadow or recount wait wins over the older per-site maps for its site', () => {
    const doc = withLayers(
      { DC1: { scoring: { scorer: 'rules-v1' }, shadow: { enabled: false }, recounts: { timeout: '2h' } } },
      { scoring: { scorer: 'rules-v1', sites: { DC1: 'bayes-v2', DC2: 'bayes-v2' } }, shadow: { enabled: false, sites: { DC1: true } }, recounts: { ...DEFAULT_POLICY_INPUT.recounts, timeoutBySite: { DC1: '9h' } } },
    );
    const dc1 = effectivePolicy({ version: 1, document: doc }, 'DC1').document;
    expect([scorerOf(dc1, 'DC1'), isShadow(dc1, 'DC1'), recountTimeoutFor(dc1, 'DC1')]).toEqual(['rules-v1', false, '2h']);
    expect(scorerOf(dc1, 'DC2')).toBe('bayes-v2');
    const sources = policySources({ version: 1, document: doc }, 'DC1');
    expect(sources['scoring.scorer']).toBe('site:DC1');
    expect(sources['scoring.sites.DC2']).toBe('global');
    expect(sources['ladders.high.rungs']).toBe('global');
  });

  it('a layer is checked as the policy it makes, at overrides.<site>.<path>; unknown sections are refused', () => {
    const r = PolicyDocument.safeParse({ ...DEFAULT_POLICY_INPUT, overrides: { DC9: { approval: { fourEyesAbove: -1 }, name: 'x' } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['overrides.DC9', 'overrides.DC9.approval.fourEyesAbove']));
  });
});

describe('reason codes', () => {
  it('the default catalogue offers codes per decision and kind, and knows which need a comment', () => {
    const approve = reasonCodesFor(DEFAULT_POLICY, 'transfer_delay', 'approve')!.map((r) => r.code);
    expect(approve).toEqual(expect.arrayContaining(['LOST_IN_TRANSIT', 'IN_TRANSIT']));
    expect(approve).not.toContain('DAMAGED');
    expect(reasonCodesFor(DEFAULT_POLICY, 'count_variance', 'approve')!.map((r) => r.code)).not.toContain('LOST_IN_TRANSIT');
    expect(reasonCodesFor(DEFAULT_POLICY, 'count_variance', 'resolve_manually')!.map((r) => r.code)).toEqual(['POSTED_IN_ERP', 'POSTED_IN_WMS', 'HOLD_CLEARED', 'NO_CHANGE_NEEDED', 'OTHER']);
    expect(reasonCodeRefusal(DEFAULT_POLICY, 'count_variance', 'approve', 'COUNT_CONFIRMED', undefined)).toBeNull();
    expect(reasonCodeRefusal(DEFAULT_POLICY, 'count_variance', 'approve', 'OTHER', '')).toMatchObject({ kind: 'refused', code: 'reason_comment' });
    expect(reasonCodeRefusal(DEFAULT_POLICY, 'count_variance', 'reject', 'COUNT_CONFIRMED', 'x')!.message).toMatch(/allowed: .*MISCOUNT/);
  });

  it('a pinned policy without a catalogue accepts any code', () => {
    expect(reasonCodeRefusal({}, 'count_variance', 'approve', 'ANYTHING', undefined)).toBeNull();
  });
});
