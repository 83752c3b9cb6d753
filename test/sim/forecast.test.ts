import { realProbability } from '../../src/sim/forecast';

describe("the engine's forecast that a case is real", () => {
  it('is one minus what scorer v2 gives the causes of a case that is not real (a counting error, a duplicate report)', () => {
    const p = realProbability({
      rootCauses: [
        { cause: 'mis_scan', probability: 0.5 },
        { cause: 'count_error', probability: 0.3 },
        { cause: 'genuine_loss', probability: 0.1 },
        { cause: 'duplicate_report', probability: 0.1 },
      ],
    });
    expect(p).toBeCloseTo(0.6, 6);
  });

  it('stays a probability when the rounded probabilities do not sum to exactly one', () => {
    const p = realProbability({ rootCauses: [{ cause: 'count_error', probability: 0.9999 }, { cause: 'shrink', probability: 0.0003 }] });
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(0.001);
  });

  it('is absent for a case scored by rules-v1, which gives no root-cause probabilities', () => {
    expect(realProbability({ rootCauses: [] })).toBeNull();
    expect(realProbability({})).toBeNull();
  });
});
