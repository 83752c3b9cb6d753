import type { Books } from './books';
import type { CaseDetail, CaseSummary, IncidentSummary } from './client';
import { HOUR } from './context';
import { CLAIMS, FAULT_KINDS, type FaultKind, type InjectedFault } from './faults';
import { realProbability } from './forecast';
import { adjustmentsAgainstEvidence, type EvidenceBreach } from './hold-back-check';

/** A case may be opened up to this long (simulated) before its fault's recorded instant: clocks and batching. */
export const MATCH_SLACK_MS = HOUR;

export interface KindScore {
  injected: number;
  detected: number;
  recall: number | null;
  /** cases of the kinds this fault kind is detected as, not explained by another fault kind */
  claimed: number;
  truePositives: number;
  falsePositives: number;
  /** false positives the engine closed itself because its recount found the system right */
  falsePositivesSettled: number;
  precision: number | null;
  /** precision without the false alarms Reckon settled itself (a recount found the system right): what reached people or the books */
  precisionRaised: number | null;
  /** simulated minutes from the fault to its first case: median and mean over detected faults */
  mttdMinutes: { median: number; mean: number } | null;
  missed: string[];
}

export interface ReliabilityBin {
  from: number;
  to: number;
  cases: number;
  meanConfidence: number | null;
  observedRate: number | null;
}

export interface Scorecard {
  perKind: Record<FaultKind, KindScore>;
  cases: { total: number; matched: number; unmatched: number; byKind: Record<string, { total: number; matched: number }> };
  autoResolved: number;
  autoResolutionRate: number | null;
  wrongAutoResolutions: number;
  wrongAutoResolutionCases: { id: string; kind: string; why: string }[];
  /** cases Reckon closed itself because a recount agreed with what the case expected, while a fault had left the bin wrong */
  wrongRecountClosures: number;
  wrongRecountClosureCases: { id: string; kind: string; why: string }[];
  /** automatic adjustments at a bin whose recent evidence (another open case, a pattern case) said "maybe something bigger" */
  adjustedAgainstEvidence: EvidenceBreach[];
  mttdMinutes: { median: number; mean: number } | null;
  /** Brier score of the engine's probability that a case is real (see forecast.ts) against the ground truth */
  brier: number | null;
  /** Brier score of the best constant forecast: the run's own base rate */
  brierPrior: number | null;
  baseRate: number | null;
  reliability: ReliabilityBin[];
  calibration: { forecast: string; label: string; forecastCases: number; notForecast: number };
  /** every forecast with its outcome, for a closer look */
  forecasts: { id: string; kind: string; p: number; real: boolean; resolution: string | null; reading: string | null; counts: string | null }[];
  alerts: {
    /** every case opened, and those still open at the end */
    cases: number;
    openCases: number;
    /** open cases seen as incidents: from GET /v1/incidents, or the simulator's own clustering */
    afterClustering: number;
    clusteredBy: 'api' | 'simulator';
    incidents: number;
    /** the simulator's clustering of every case (same bin, same ASN, same user), for comparison */
    simulatorClusters: number;
  };
  unmatchedCases: { id: string; kind: string; site: string; sku: string; location: string | null; reference: string | null; status: string; resolution: string | null; confidence: number | null; explanation: string | null; sourceEventIds: string[] }[];
}

export interface ScoreInput {
  faults: InjectedFault[];
  books: Books;
  cases: CaseSummary[];
  autoResolved: CaseDetail[];
  /** every case's detail at the end (the root-cause probabilities); absent: no forecasts */
  details?: CaseDetail[];
  incidents: IncidentSummary[] | null;
  /** simulated time of a real instant */
  simOf: (realMs: number) => number;
}

/**
 * The matching rule: a case detects a fault when its kind is one the fault's signature lists,
 * at the same site, with the signature's sku, bin and document reference where it names them
 * (for a pilfering user: a reference naming the user, or a source event the user made), opened
 * no earlier than an hour (simulated) before the fault. Consequences may surface any time
 * later in the run (a mis-slot is found when the pick face runs dry), so there is no upper bound.
 */
export function matches(c: Pick<CaseSummary, 'kind' | 'site' | 'sku' | 'location' | 'reference' | 'sourceEventIds'>, openedSim: number, f: InjectedFault): boolean {
  if (openedSim < f.at - MATCH_SLACK_MS) return false;
  return f.signatures.some(
    (s) =>
      s.kinds.includes(c.kind as never) &&
      s.site === c.site &&
      (s.sku === undefined || s.sku === c.sku) &&
      (s.location === undefined || s.location === c.location) &&
      (s.reference === undefined || (c.reference?.kind === s.reference.kind && c.reference?.id === s.reference.id)) &&
      (s.user === undefined || c.reference?.id === `user:${s.user}` || c.sourceEventIds.some((id) => f.eventIds.includes(id))),
  );
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
const summary = (xs: number[]) => (xs.length ? { median: Math.round(median(xs)!), mean: Math.round(mean(xs)!) } : null);

export function computeScorecard(input: ScoreInput): Scorecard {
  const { faults, cases } = input;
  const openedSim = new Map(cases.map((c) => [c.id, input.simOf(Date.parse(c.openedAt))]));
  const matchedFaults = new Map<string, InjectedFault[]>();
  for (const c of cases) matchedFaults.set(c.id, faults.filter((f) => matches(c, openedSim.get(c.id)!, f)));

  const perKind = {} as Record<FaultKind, KindScore>;
  const allDelays: number[] = [];
  for (const kind of FAULT_KINDS) {
    const mine = faults.filter((f) => f.kind === kind);
    const delays: number[] = [];
    const missed: string[] = [];
    for (const f of mine) {
      const hits = cases.filter((c) => matchedFaults.get(c.id)!.includes(f));
      if (hits.length === 0) {
        missed.push(`${f.id}: ${f.note}`);
        continue;
      }
      delays.push(Math.max(0, Math.min(...hits.map((c) => openedSim.get(c.id)! - (f.detectableAt ?? f.at)))) / 60_000);
    }
    allDelays.push(...delays);
    const claimed = cases.filter((c) => (CLAIMS[c.kind as keyof typeof CLAIMS] ?? []).includes(kind));
    const tp = claimed.filter((c) => matchedFaults.get(c.id)!.some((f) => f.kind === kind)).length;
    const fps = claimed.filter((c) => matchedFaults.get(c.id)!.length === 0);
    const fp = fps.length;
    const settled = fps.filter((c) => c.resolution === 'resolved_by_recount').length;
    perKind[kind] = {
      injected: mine.length,
      detected: mine.length - missed.length,
      recall: mine.length ? r3((mine.length - missed.length) / mine.length) : null,
      claimed: tp + fp,
      truePositives: tp,
      falsePositives: fp,
      falsePositivesSettled: settled,
      precision: tp + fp ? r3(tp / (tp + fp)) : null,
      precisionRaised: tp + fp - settled ? r3(tp / (tp + fp - settled)) : null,
      mttdMinutes: summary(delays),
      missed,
    };
  }

  const byKind: Record<string, { total: number; matched: number }> = {};
  for (const c of cases) {
    const k = (byKind[c.kind] ??= { total: 0, matched: 0 });
    k.total++;
    if (matchedFaults.get(c.id)!.length) k.matched++;
  }
  const matched = cases.filter((c) => matchedFaults.get(c.id)!.length > 0);

  const wrong = input.autoResolved.map((d) => ({ d, why: wrongAutoResolution(d, matchedFaults.get(d.id) ?? [], input) })).filter((x) => x.why !== null);
  const wrongRecount = (input.details ?? [])
    .filter((d) => d.resolution === 'resolved_by_recount')
    .map((d) => ({ d, why: wrongAutoResolution({ ...d, decision: null }, matchedFaults.get(d.id) ?? [], input) }))
    .filter((x) => x.why !== null);

  const detailOf = new Map((input.details ?? []).map((d) => [d.id, d]));
  const forecasts = cases.flatMap((c) => {
    const d = detailOf.get(c.id);
    const p = d ? realProbability(d) : null;
    if (p === null) return [];
    return [{ id: c.id, kind: c.kind, p: r3(p)!, real: matchedFaults.get(c.id)!.length > 0, resolution: c.resolution, reading: d?.score?.model?.reading ?? null, counts: d?.score?.model?.features?.counts ?? null }];
  });
  const ys = forecasts.map((f) => (f.real ? 1 : 0));
  const ps = forecasts.map((f) => f.p);
  const base = mean(ys);
  const brier = mean(ps.map((p, i) => (p - ys[i]) ** 2));
  const brierPrior = base === null ? null : mean(ys.map((y) => (base - y) ** 2));
  // five bins of width 0.2; 1.0 falls in the last
  const binOf = (p: number) => Math.min(4, Math.floor(p * 5 + 1e-9));
  const reliability: ReliabilityBin[] = [0, 1, 2, 3, 4].map((b) => {
    const idx = ps.map((p, i) => ({ p, i })).filter(({ p }) => binOf(p) === b);
    return { from: b / 5, to: (b + 1) / 5, cases: idx.length, meanConfidence: r3(mean(idx.map((x) => x.p))), observedRate: r3(mean(idx.map((x) => ys[x.i]))) };
  });

  const open = cases.filter((c) => c.status !== 'closed');
  let afterClustering: number;
  let clusteredBy: 'api' | 'simulator';
  if (input.incidents) {
    const inIncident = new Set(input.incidents.flatMap((i) => i.cases.map((c) => c.id)));
    afterClustering = input.incidents.length + open.filter((c) => !inIncident.has(c.id)).length;
    clusteredBy = 'api';
  } else {
    afterClustering = clusterCount(open);
    clusteredBy = 'simulator';
  }

  return {
    perKind,
    cases: { total: cases.length, matched: matched.length, unmatched: cases.length - matched.length, byKind },
    autoResolved: input.autoResolved.length,
    autoResolutionRate: cases.length ? r3(input.autoResolved.length / cases.length) : null,
    wrongAutoResolutions: wrong.length,
    wrongAutoResolutionCases: wrong.map((x) => ({ id: x.d.id, kind: x.d.kind, why: x.why! })),
    wrongRecountClosures: wrongRecount.length,
    wrongRecountClosureCases: wrongRecount.map((x) => ({ id: x.d.id, kind: x.d.kind, why: x.why! })),
    adjustedAgainstEvidence: adjustmentsAgainstEvidence(input.autoResolved, cases),
    mttdMinutes: summary(allDelays),
    brier: r3(brier),
    brierPrior: r3(brierPrior),
    baseRate: r3(base),
    reliability,
    calibration: {
      forecast: "the engine's probability that the case is real: 1 − P(count_error) − P(duplicate_report) of its latest score",
      label: 'the case matches an injected fault',
      forecastCases: forecasts.length,
      notForecast: cases.length - forecasts.length,
    },
    forecasts,
    alerts: { cases: cases.length, openCases: open.length, afterClustering, clusteredBy, incidents: input.incidents?.length ?? 0, simulatorClusters: clusterCount(cases) },
    unmatchedCases: cases
      .filter((c) => matchedFaults.get(c.id)!.length === 0)
      .map((c) => ({
        id: c.id, kind: c.kind, site: c.site, sku: c.sku, location: c.location, reference: c.reference ? `${c.reference.kind}:${c.reference.id}` : null, status: c.status, resolution: c.resolution,
        confidence: c.confidence, explanation: c.explanation, sourceEventIds: c.sourceEventIds,
      })),
  };
}

/**
 * Whether an automatic resolution went against the ground truth: an adjustment that does not
 * bring the WMS to what is physically there (when the case opened, or when it closed), or no
 * adjustment where a fault left the books wrong at the case's bin.
 */
export function wrongAutoResolution(d: CaseDetail, faults: InjectedFault[], input: Pick<ScoreInput, 'books' | 'simOf'>): string | null {
  const times = [d.openedAt, d.closedAt ?? d.openedAt].map((t) => input.simOf(Date.parse(t)));
  const gapAt = (t: number) => {
    if (!d.location) return null;
    const p = input.books.pointAt(d.site, d.location, d.sku, t);
    return p.phys - p.wms;
  };
  const qty = d.decision?.correction === 'adjust' ? (d.decision.adjustQty ?? 0) : 0;
  if (qty !== 0) {
    const gaps = times.map(gapAt);
    if (gaps.some((g) => g !== null && Math.abs(g - qty) < 1e-6)) return null;
    return `adjusted by ${qty}; the truth needed ${gaps.map((g) => (g === null ? 'unknown' : String(g))).join(' / ')}`;
  }
  const needs = faults.filter((f) => f.needsCorrection);
  if (needs.length === 0) return null;
  const gaps = times.map(gapAt);
  if (gaps.every((g) => g === 0)) return null;
  return `closed without an adjustment (${d.decision?.correction ?? 'none'}) but ${needs.map((f) => f.id).join(', ')} left the books wrong`;
}

/** Clusters cases that share a bin, an ASN or a user (union-find), as the design's triage would. */
export function clusterCount(cases: Pick<CaseSummary, 'id' | 'site' | 'location' | 'reference' | 'kind'>[]): number {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const r = find(p);
    parent.set(x, r);
    return r;
  };
  const owner = new Map<string, string>();
  for (const c of cases) {
    parent.set(c.id, c.id);
    const keys: string[] = [];
    if (c.location) keys.push(`bin:${c.site}|${c.location}`);
    if (c.reference?.kind === 'asn') keys.push(`asn:${c.site}|${c.reference.id}`);
    if (c.reference?.id.startsWith('user:')) keys.push(`user:${c.site}|${c.reference.id}`);
    for (const k of keys) {
      const o = owner.get(k);
      if (o) parent.set(find(c.id), find(o));
      else owner.set(k, c.id);
    }
  }
  return new Set(cases.map((c) => find(c.id))).size;
}
