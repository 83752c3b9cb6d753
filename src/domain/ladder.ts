import { addWorkingTime, formatLocal } from './calendar';
import { durationMs } from './durations';
import type { Ladder, PolicyDocument, Severity } from './policy';

export interface LadderPosition {
  /** 0-based rung index; equal to rungs.length once the last SLA has passed */
  level: number;
  role: string;
  slaMs: number;
  /** true once every rung's SLA has passed */
  exhausted: boolean;
}

export function ladderFor(policy: PolicyDocument, severity: Severity): Ladder {
  return policy.ladders[severity];
}

export interface RoutedLadder {
  ladder: Ladder;
  /** why the case went to this ladder, in words (shown on the case) */
  because: string;
}

/**
 * The ladder a case goes to: the policy's first route matching its kind, severity and site, else
 * its severity's ladder. A policy pinned before routes existed has none.
 */
export function routeFor(policy: PolicyDocument, c: { kind: string; site: string }, severity: Severity): RoutedLadder {
  const routes = policy.routes ?? [];
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i];
    if (r.kinds && !r.kinds.includes(c.kind as never)) continue;
    if (r.severities && !r.severities.includes(severity)) continue;
    if (r.sites && !r.sites.includes(c.site)) continue;
    return { ladder: r.ladder, because: r.why ?? `route ${i + 1} of the policy (${[r.kinds?.join('/'), r.severities?.join('/'), r.sites?.join('/')].filter(Boolean).join(', ')})` };
  }
  return { ladder: policy.ladders[severity], because: `the ${severity} severity ladder` };
}

/** The ladder of a case, as routed by its pinned policy. */
export function caseLadder(policy: PolicyDocument, s: { report: { kind: string; site: string }; severity?: Severity }): Ladder {
  return routeFor(policy, s.report, s.severity ?? 'review').ladder;
}

export function positionOn(ladder: Ladder, level: number): LadderPosition {
  if (level >= ladder.rungs.length) {
    return { level: ladder.rungs.length, role: ladder.terminal.role, slaMs: 0, exhausted: true };
  }
  const rung = ladder.rungs[level];
  return { level, role: rung.role, slaMs: durationMs(rung.sla), exhausted: false };
}

/** Roles that may act at a position: the current rung's role and every role above it. */
export function rolesAtOrAbove(ladder: Ladder, level: number): string[] {
  const roles = ladder.rungs.slice(Math.min(level, ladder.rungs.length)).map((r) => r.role);
  roles.push(ladder.terminal.role);
  return [...new Set(roles)];
}

export function describeRung(ladder: Ladder, level: number): string {
  const p = positionOn(ladder, level);
  if (p.exhausted) return `terminal: ${ladder.terminal.action} → ${ladder.terminal.role}`;
  return `SLA: ${p.role}, ${ladder.rungs[level].sla} (rung ${level + 1}/${ladder.rungs.length})`;
}

/**
 * How long a count task may stay open at a site before a person decides. A policy pinned before
 * per-site waits existed carries no `timeoutBySite`: its cases keep the policy-wide wait.
 */
export function recountTimeoutFor(policy: Pick<PolicyDocument, 'recounts'>, site: string): string {
  return policy.recounts.timeoutBySite?.[site] ?? policy.recounts.timeout;
}

/**
 * What the ladder's terminal action leads to. Nothing is left without an owner: after
 * hold_and_page the held stock stays with the paged role on an open case (unless the policy says
 * close_and_release); after page_only the case closes and any hold is released.
 */
export function terminalPlan(ladder: Ladder): { then: 'stay_open' | 'close_and_release'; decisionsDuring: 'decision_wins' | 'refuse' } {
  const t = ladder.terminal;
  return {
    then: t.then ?? (t.action === 'hold_and_page' ? 'stay_open' : 'close_and_release'),
    decisionsDuring: t.decisionsDuring ?? 'decision_wins',
  };
}

/**
 * When a rung started at `startMs` with `slaMs` to run is due: working time only at a site with a
 * business-hours calendar in the pinned policy (a Friday-evening case is due on Monday), else
 * wall-clock time. `local` is the deadline in the site's own time, for people.
 */
export function slaDeadline(policy: Pick<PolicyDocument, 'calendars'>, site: string, startMs: number, slaMs: number): { at: number; local?: string } {
  const cal = policy.calendars?.[site];
  if (!cal) return { at: startMs + slaMs };
  const at = addWorkingTime(startMs, slaMs, cal);
  return { at, local: formatLocal(at, cal) };
}
