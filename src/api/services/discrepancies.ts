import { coversSite, type Actor, type CaseState, type DiscrepancyReport, type Score } from '../../domain';
import { startOrMergeCase, type AcceptedReport } from '../../ingest/start-case';
import { listAudit, type AuditRow } from '../../store/audit-repo';
import {
  decodeCursor,
  encodeCursor,
  getCase,
  listCases,
  type CaseDetailRow,
  type CaseRow,
} from '../../store/discrepancy-queries';
import { incidentsOfCase, type CaseIncident } from '../../store/incident-queries';
import { progressQuery, stateQuery, type ProgressView } from '../../workflows/messages';
import type { ApiContext } from '../deps';
import { Forbidden, NotFound, ValidationError } from '../errors';
import type { ListQuery } from '../schemas';
import { withDeadline } from './temporal';

export function caseLinks(id: string): Record<string, string> {
  const self = `/v1/discrepancies/${encodeURIComponent(id)}`;
  return {
    self,
    approve: `${self}/approve`,
    reject: `${self}/reject`,
    recount: `${self}/recount`,
    assign: `${self}/assign`,
    comments: `${self}/comments`,
  };
}

export type { AcceptedReport };

/**
 * Starts a case or merges the report into the open case with the same key (see
 * startOrMergeCase). The case's row is written before the answer, so its links work at once.
 * At most REPORT_INTAKE_CONCURRENCY reports are taken in at once (IntakeGate).
 */
export async function reportDiscrepancy(ctx: ApiContext, actor: Actor, report: DiscrepancyReport): Promise<AcceptedReport> {
  if (!coversSite(actor, report.site)) throw new Forbidden(`${actor.userId} may not report for site ${report.site}`);
  // a burst beyond what the intake takes at once is answered 429 before anything starts
  return ctx.reportIntake.run(() => startOrMergeCase(ctx, report, { withTemporal: (call) => withDeadline(ctx, ctx.timeouts.signalMs, call) }));
}

function visibleSites(actor: Actor): string[] | undefined {
  return actor.sites.includes('*') ? undefined : actor.sites;
}

export async function listQueue(
  ctx: ApiContext,
  actor: Actor,
  q: ListQuery,
): Promise<{ items: CaseRow[]; nextCursor: string | null; limit: number }> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q.sort);
  if (after === null) {
    throw ValidationError.rule([{ path: 'query.cursor', message: 'not a cursor issued for this sort' }]);
  }
  const page = await listCases(
    ctx.db,
    {
      status: q.status,
      kind: q.kind,
      severity: q.severity,
      site: q.site,
      sku: q.sku,
      ownerRole: q.ownerRole,
      assignee: q.assignee,
      breached: q.breached,
      shadow: q.shadow,
      band: q.band,
      visibleSites: visibleSites(actor),
    },
    { sort: q.sort, limit: q.limit, after },
  );
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null, limit: q.limit };
}

export interface CaseView extends Omit<CaseDetailRow, 'state'> {
  /** the case's state as last recorded by the workflow (from the read model; no workflow query) */
  live: CaseState | null;
  liveError?: string;
  /** while the case runs: what only the workflow knows yet (a decision being carried out) */
  progress?: ProgressView;
  timeline: AuditRow[];
  /** the incidents the case is or was part of */
  incidents: CaseIncident[];
  /** scorer v2: probabilities over the root causes, most likely first (empty when scored by rules-v1) */
  rootCauses: { cause: string; probability: number }[];
  /** scorer v2: what most favours the leading cause, in plain words */
  topFactors: string[];
}

/** The scorer's reading of a case as the case page shows it. */
function reading(score: unknown): Pick<CaseView, 'rootCauses' | 'topFactors'> {
  const s = (score ?? {}) as Partial<Score>;
  return { rootCauses: s.rootCauses ?? [], topFactors: s.topFactors ?? [] };
}

/**
 * A case for a reader. Other sites' cases answer 404 like unknown ones, so a key scoped to
 * some sites cannot learn which case ids exist elsewhere.
 */
export async function getCaseView(ctx: ApiContext, actor: Actor, id: string): Promise<CaseView> {
  const row = await getCase(ctx.db, id);
  if (!row || !coversSite(actor, row.site)) throw new NotFound(`no case ${id}`);
  const [live, timeline, incidents] = await Promise.all([recordedState(ctx, row), listAudit(ctx.db, id), incidentsOfCase(ctx.db, id)]);
  const { state: _state, ...rest } = row;
  return { ...rest, ...live, timeline, incidents, ...reading(row.score) };
}

/**
 * The case page comes from the read model: every transition records the state, so a closed case
 * never costs a workflow query (which replays history on a worker). A running case adds a small
 * progress query; rows recorded before the state was kept fall back to the full query.
 */
async function recordedState(ctx: ApiContext, row: CaseDetailRow): Promise<{ live: CaseState | null; liveError?: string; progress?: ProgressView }> {
  if (!row.state) return row.status === 'closed' ? { live: null, liveError: 'recorded before the state was kept' } : liveState(ctx, row);
  const live = row.state as unknown as CaseState;
  if (row.status === 'closed') return { live };
  try {
    const handle = ctx.temporal.workflow.getHandle(row.workflowId, undefined, { firstExecutionRunId: row.id });
    const progress = await withDeadline(ctx, ctx.timeouts.liveQueryMs, () => handle.query(progressQuery));
    return { live, progress };
  } catch (err) {
    return { live, liveError: describeLiveError(err) };
  }
}

/** The workflow's own view, when it answers in time; the read model stands on its own otherwise. */
async function liveState(ctx: ApiContext, row: CaseRow): Promise<{ live: CaseState | null; liveError?: string }> {
  try {
    const handle = ctx.temporal.workflow.getHandle(row.workflowId);
    const state = await withDeadline(ctx, ctx.timeouts.liveQueryMs, () => handle.query(stateQuery, {}));
    // the workflow id may since have started a new case (the old one closed)
    if (state.caseId !== row.id) return { live: null, liveError: `workflow ${row.workflowId} now runs case ${state.caseId}` };
    return { live: state };
  } catch (err) {
    return { live: null, liveError: describeLiveError(err) };
  }
}

function describeLiveError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { message?: string } };
  const text = e?.cause?.message ?? e?.message ?? String(err);
  if (/deadline|timed? ?out|in time/i.test(text)) return 'the workflow did not answer the state query in time';
  return `state query failed: ${text}`.slice(0, 300);
}
