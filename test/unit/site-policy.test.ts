import { casePolicy, DEFAULT_POLICY, DEFAULT_POLICY_INPUT, DISCREPANCY_KINDS, effectivePolicy, isShadow, PolicyDocument, policySources, REASON_DECISIONS, reasonCodeRefusal, reasonCodesFor, recountTimeoutFor, routeFor, scorerOf, SEVERITIES, slaDeadline } from '../../src/domain';

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

describe("a case's slice of its policy", () => {
  const BERLIN = { timeZone: 'Europe/Berlin', hours: { mon: [['08:00', '17:00']], tue: [['08:00', '17:00']] }, holidays: ['2026-12-25'] };
  const doc = withLayers(
    { DC1: { approval: { ...DEFAULT_POLICY_INPUT.approval, fourEyesAbove: 10 } } },
    {
      description: 'the whole network',
      calendars: { DC1: BERLIN, DC2: { ...BERLIN, timeZone: 'Asia/Tokyo' } },
      recounts: { ...DEFAULT_POLICY_INPUT.recounts, timeoutBySite: { DC1: '9h', DC2: '1h' } },
      routes: [{ sites: ['DC2'], ladder: DEFAULT_POLICY.ladders.review, why: 'DC2 runs its own' }, { kinds: ['mis_scan'], ladder: DEFAULT_POLICY.ladders.high }],
    },
  );
  const stored = { version: 4, document: doc };
  const NARROWED = ['description', 'reasonCodes', 'calendars', 'recounts', 'overrides'];
  const codes = [...new Set(doc.reasonCodes.map((r) => r.code)), 'NOT_A_CODE', undefined];

  it.each(['DC1', 'DC2', 'DC3'])('every value a case at %s reads is the same as in the whole effective policy', (site) => {
    const whole = effectivePolicy(stored, site);
    for (const kind of DISCREPANCY_KINDS) {
      const slice = casePolicy(whole, site, kind);
      expect([slice.version, slice.layer]).toEqual([whole.version, whole.layer]);
      for (const decision of REASON_DECISIONS) {
        expect(reasonCodesFor(slice.document, kind, decision)?.map((r) => [r.code, r.needsComment])).toEqual(reasonCodesFor(whole.document, kind, decision)?.map((r) => [r.code, r.needsComment]));
        for (const code of codes) for (const comment of [undefined, 'why']) expect(reasonCodeRefusal(slice.document, kind, decision, code, comment)).toEqual(reasonCodeRefusal(whole.document, kind, decision, code, comment));
      }
      for (const severity of SEVERITIES) {
        expect(routeFor(slice.document, { kind, site }, severity)).toEqual(routeFor(whole.document, { kind, site }, severity));
      }
      // the sections the slice does not narrow are the whole policy's own
      for (const k of Object.keys(whole.document) as (keyof PolicyDocument)[]) if (!NARROWED.includes(k)) expect(slice.document[k]).toBe(whole.document[k]);
      expect(recountTimeoutFor(slice.document, site)).toBe(recountTimeoutFor(whole.document, site));
      const friday = Date.parse('2026-12-04T15:00:00Z');
      expect(slaDeadline(slice.document, site, friday, 4 * 3_600_000)).toEqual(slaDeadline(whole.document, site, friday, 4 * 3_600_000));
      expect([scorerOf(slice.document, site), isShadow(slice.document, site)]).toEqual([scorerOf(whole.document, site), isShadow(whole.document, site)]);
    }
  });

  it('carries less than the whole document and leaves the stored version as it was', () => {
    const before = JSON.stringify(doc);
    const slice = casePolicy(effectivePolicy(stored, 'DC1'), 'DC1', 'count_variance');
    expect(JSON.stringify(slice).length).toBeLessThan(0.85 * JSON.stringify(effectivePolicy(stored, 'DC1')).length);
    expect(Object.keys(slice.document.calendars)).toEqual(['DC1']);
    expect(slice.document.recounts.timeoutBySite).toEqual({ DC1: '9h' });
    expect(slice.document.overrides).toEqual({});
    expect(JSON.stringify(doc)).toBe(before);
    // one slice per stored document, site and kind: every case of the version shares it
    expect(casePolicy(effectivePolicy(stored, 'DC1'), 'DC1', 'count_variance').document).toBe(slice.document);
  });
});
