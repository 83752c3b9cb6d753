import { FAULT_KINDS } from './faults';
import type { RunResult } from './run';

const pct = (x: number | null) => (x === null ? '   -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);
const num = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '-' : x.toFixed(d));
const minutes = (m: { median: number; mean: number } | null) => (m ? `${m.median} / ${m.mean} min` : '-');

/** The scorecard as text for a terminal. */
export function formatScorecard(r: RunResult, meta: { seed: number; days: number }): string {
  const s = r.scorecard;
  const rec = r.record;
  const lines: string[] = [];
  lines.push(`Reckon simulator scorecard — seed ${meta.seed}, ${meta.days} simulated day(s), ${rec.speed}× real time, ${(rec.realDurationMs / 1000).toFixed(0)} s`);
  lines.push(`events: ${rec.events.sent} sent (${rec.events.accepted} accepted, ${rec.events.duplicate} recognised as redeliveries of ${rec.events.redeliveriesSent} sent, ${rec.events.invalid} refused); simulated time paused ${(rec.pausedMs / 1000).toFixed(0)} s while the engine caught up (worst lag ${(rec.maxLagMs / 1000).toFixed(1)} s); ${rec.countsAnswered} count tasks answered`);
  const pc = rec.plannedCounts;
  lines.push(
    pc
      ? `cycle-count planner: ${pc.plans} runs (one per site and simulated night), ${pc.tasks} count tasks, ${pc.answered} counted, ${pc.variances} differed from the WMS and opened a case, ${pc.refused} refused`
      : 'cycle-count planner: not driven (an engine reached with --api: the API cannot start it)',
  );
  const ap = rec.approvals;
  lines.push(ap ? `approvers (per ground truth): ${ap.approved} approved, ${ap.rejected} rejected, ${ap.refused} refused by the engine` : 'approvers: none acted (cases needing people stay open)');
  lines.push('');
  lines.push('fault kind           injected  detected  recall   cases   TP   FP  precision  FP settled  raised  MTTD median / mean');
  for (const k of FAULT_KINDS) {
    const p = s.perKind[k];
    lines.push(
      `${k.padEnd(20)} ${String(p.injected).padStart(8)}  ${String(p.detected).padStart(8)}  ${pct(p.recall)}  ${String(p.claimed).padStart(5)} ${String(p.truePositives).padStart(4)} ${String(p.falsePositives).padStart(4)}     ${pct(p.precision)}  ${String(p.falsePositivesSettled).padStart(10)}  ${pct(p.precisionRaised)}  ${minutes(p.mttdMinutes)}`,
    );
  }
  lines.push('');
  lines.push(`cases: ${s.cases.total} (${s.cases.matched} match an injected fault, ${s.cases.unmatched} do not); by kind: ${Object.entries(s.cases.byKind).map(([k, v]) => `${k} ${v.matched}/${v.total}`).join(', ')}`);
  lines.push(`auto-resolved: ${s.autoResolved} (rate ${pct(s.autoResolutionRate).trim()} of cases); wrong auto-resolutions: ${s.wrongAutoResolutions}`);
  for (const w of s.wrongAutoResolutionCases) lines.push(`  wrong: ${w.id} ${w.kind}: ${w.why}`);
  lines.push(`closed by a recount while a fault left the bin wrong: ${s.wrongRecountClosures}`);
  for (const w of s.wrongRecountClosureCases) lines.push(`  wrong: ${w.id} ${w.kind}: ${w.why.replace('closed without an adjustment (none)', 'closed by the recount')}`);
  lines.push(`automatic adjustments at a bin with recent evidence of something bigger: ${s.adjustedAgainstEvidence.length}`);
  for (const w of s.adjustedAgainstEvidence) lines.push(`  against evidence: ${w.id} ${w.kind}: ${w.why}`);
  lines.push(`MTTD over all detected faults: ${minutes(s.mttdMinutes)} (simulated)`);
  const cal = s.calibration;
  lines.push(
    cal.forecastCases > 0
      ? `calibration (P(case is real) = 1 − P(count_error) − P(duplicate_report), vs "the case matches an injected fault", ${cal.forecastCases} cases): Brier ${num(s.brier)} vs prior ${num(s.brierPrior)} (the base rate ${num(s.baseRate)} as a constant forecast)`
      : `calibration: no forecast — the scorer gives no probability that a case is real (rules-v1's confidence is about its explanation; run with --scorer bayes-v2)`,
  );
  lines.push('  P(real)        cases  mean P    observed');
  for (const b of s.reliability) lines.push(`  ${b.from.toFixed(1)}–${b.to.toFixed(1)}     ${String(b.cases).padStart(7)}  ${num(b.meanConfidence).padStart(9)}  ${num(b.observedRate).padStart(8)}`);
  lines.push(
    `alerts: ${s.alerts.cases} cases, ${s.alerts.openCases} open at the end → ${s.alerts.afterClustering} after clustering (${s.alerts.clusteredBy === 'api' ? `GET /v1/incidents: ${s.alerts.incidents} open incidents plus open cases in none` : 'simulator clustering by bin, ASN, user: the engine has no /v1/incidents'}); all cases clustered by the simulator: ${s.alerts.simulatorClusters}`,
  );
  if (r.shadowAgreement) {
    const sh = r.record.shadow;
    lines.push(`shadow mode (GET /v1/kpis → shadowAgreement): the controller looked at ${sh?.looked ?? 0} shadowed cases with a bin and booked ${sh?.bookings.length ?? 0} adjustments`);
    lines.push('  kind                 site        shadow  agreed  rate    would auto-resolve  reversed  people acted');
    for (const a of r.shadowAgreement) {
      lines.push(`  ${a.kind.padEnd(20)} ${a.site.padEnd(10)} ${String(a.shadowCases).padStart(7)} ${String(a.agreed).padStart(7)}  ${pct(a.rate)}  ${String(a.wouldAutoResolve).padStart(18)}  ${String(a.autoResolutionsReversed).padStart(8)}  ${String(a.peopleActed).padStart(12)}`);
    }
  }
  const missed = FAULT_KINDS.flatMap((k) => s.perKind[k].missed);
  if (missed.length) {
    lines.push('missed faults:');
    for (const m of missed.slice(0, 30)) lines.push(`  ${m}`);
  }
  if (s.unmatchedCases.length) {
    lines.push('cases matching no injected fault:');
    const pReal = new Map(s.forecasts.map((f) => [f.id, f.p]));
    for (const c of s.unmatchedCases.slice(0, 30)) {
      const p = pReal.get(c.id);
      lines.push(`  ${c.id} ${c.kind} ${c.site} ${c.sku} ${c.location ?? ''} ${c.reference ?? ''} ${c.resolution ?? c.status}${p === undefined ? '' : ` P(real) ${num(p, 2)}`}`);
    }
  }
  return lines.join('\n');
}

/** The scorecard as JSON for --out. */
export function scorecardJson(r: RunResult, meta: { seed: number; days: number }): unknown {
  return {
    seed: meta.seed,
    days: meta.days,
    speed: r.record.speed,
    policyVersion: r.policyVersion,
    events: r.record.events,
    maxLagMs: r.record.maxLagMs,
    pausedMs: r.record.pausedMs,
    countsAnswered: r.record.countsAnswered,
    plannedCounts: r.record.plannedCounts,
    approvals: r.record.approvals,
    shadow: r.record.shadow,
    shadowAgreement: r.shadowAgreement,
    realDurationMs: r.record.realDurationMs,
    ...r.scorecard,
    faults: r.sim.faults.map((f) => ({ id: f.id, kind: f.kind, site: f.site, sku: f.sku, at: new Date(f.at).toISOString(), note: f.note })),
  };
}
