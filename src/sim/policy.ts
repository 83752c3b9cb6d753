import { DEFAULT_POLICY_INPUT, PolicyDocument, type PolicyDocumentInput, type SCORERS } from '../domain';

export type ScorerName = (typeof SCORERS)[number];
import { SIM_WINDOWS } from './context';

/** A simulated duration at the run's speed-up, as a policy duration in whole seconds (at least 2 s). */
export function realDuration(simMs: number, speed: number): string {
  return `${Math.max(2, Math.round(simMs / speed / 1000))}s`;
}

/**
 * The policy a run posts: the shipped default, with the watcher windows and the recount
 * timeout being the simulated durations the generator assumes, divided by the speed-up — so
 * a transfer's grace of 4 simulated hours is 14 real seconds at 1000×. Ladders keep their
 * real hours: no case escalates within a run, which the scorecard does not measure.
 */
export function simulationPolicy(speed: number, scorer: ScorerName = 'rules-v1', shadowSites: string[] = []): PolicyDocument {
  const input: PolicyDocumentInput = {
    ...DEFAULT_POLICY_INPUT,
    name: `reckon-simulation-${speed}x`,
    description: `Default policy with watcher windows scaled for a simulation at ${speed}× real time.`,
    recounts: { ...DEFAULT_POLICY_INPUT.recounts, timeout: realDuration(SIM_WINDOWS.recountTimeout, speed) },
    watchers: {
      transferGrace: realDuration(SIM_WINDOWS.transferGrace, speed),
      returnDispositionWithin: realDuration(SIM_WINDOWS.returnDue, speed),
      receivingDueAfter: realDuration(SIM_WINDOWS.receivingDueAfter, speed),
      mismatchSettleAfter: realDuration(SIM_WINDOWS.mismatchSettle, speed),
    },
    scoring: { scorer, sites: {} },
    shadow: { enabled: false, sites: Object.fromEntries(shadowSites.map((s) => [s, true])) },
  };
  return PolicyDocument.parse(input);
}
