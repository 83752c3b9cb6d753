import type { PoolClient } from 'pg';
import type { CaseState } from '../domain';
import { triagePriority } from '../domain/triage';
import { loadTriageInputs } from './inputs';
import { linksOf, skuFamily } from './links';
import { hasCaseLinks, joinIncidents, leaveIncidents } from '../store/incident-membership';
import { itemFamily } from '../store/model-repo';
import { storeTriage } from '../store/triage-repo';

type Db = Pick<PoolClient, 'query'>;

async function familyOf(db: Db, sku: string): Promise<string | undefined> {
  return skuFamily(sku, await itemFamily(db, sku));
}

/** Where a case waits for people (an approver, a counter): from here on it is someone's work. */
const AT_REST: ReadonlySet<CaseState['status']> = new Set(['awaiting_recount', 'awaiting_approval', 'needs_attention']);

/**
 * The triage part of a case's projection, run in the same transaction as its read-model row:
 * a case waiting for people gets its priority (recomputed on each such transition, as value at
 * risk, evidence and demand change) and joins incidents the first time; a closing case leaves
 * them and keeps the last priority it had. A case still moving on its own (evidence, scoring, an
 * automatic correction: seconds) is no one's work yet, and most close without ever waiting, so
 * they never enter an incident: clustering them cost ~35 statements per auto-resolved case.
 */
export async function projectTriage(db: Db, s: CaseState, evidenceLookbackDays: number): Promise<void> {
  if (s.status === 'closed') {
    await leaveIncidents(db, s.caseId);
    return;
  }
  if (!AT_REST.has(s.status)) return;
  const inputs = await loadTriageInputs(db, s, evidenceLookbackDays);
  const triage = triagePriority(inputs);
  await storeTriage(db, s.caseId, triage, { ...triage, sources: inputs.sources });
  if (await hasCaseLinks(db, s.caseId)) return;
  await joinIncidents(db, s.caseId, s.report.site, linksOf(s.report, await familyOf(db, s.report.sku)));
}
