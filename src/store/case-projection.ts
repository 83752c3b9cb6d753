import type { Pool, PoolClient } from 'pg';
import type { CaseState } from '../domain';

/** Parts of a case's state the workflow sends only when they changed: the row keeps them meanwhile. */
export type KeptPart = 'evidence' | 'score';

export interface CaseRowWrite {
  written: boolean;
  /** the row's kept parts after the write (only when written; the others the caller sent) */
  stored?: Pick<CaseState, KeptPart>;
}

/**
 * Upserts the read-model row for a case. `rowVersion` grows with every transition: a retried
 * or late write with an older version changes nothing. A part named in `kept` is absent from
 * `s` because an earlier transition of the run stored it: the row keeps what it has (the score's
 * columns with the score).
 */
export async function upsertCaseRow(
  client: PoolClient | Pool,
  s: CaseState,
  rowVersion: number,
  kept: readonly KeptPart[] = [],
): Promise<CaseRowWrite> {
  const r = s.report;
  const variance = s.observedQty - s.expectedQty;
  const res = await client.query<{ evidence: CaseState['evidence'] | null; score: CaseState['score'] | null }>({
    name: 'case-row-upsert',
    text: `INSERT INTO discrepancies (
       id, workflow_id, dedupe_key, kind, site, sku, location, reference, status, severity, resolution,
       owner_role, assignee, escalation_level, breached, sla_deadline, expected_qty, observed_qty, variance,
       unit_cost, value_at_risk, sku_class, source, occurrences, source_event_ids, policy_version,
       scorer_version, confidence, priority, explanation, score, evidence, decision, detected_at, opened_at,
       first_action_at, closed_at, row_version, shadow, state, source_event_count, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,
             $27,$28,$29,$30,$31,$32,$33,$34,$35,$36,$37,$38,$39,$42,$43, now())
     ON CONFLICT (id) DO UPDATE SET
       status = EXCLUDED.status, severity = EXCLUDED.severity, resolution = EXCLUDED.resolution,
       owner_role = EXCLUDED.owner_role, assignee = EXCLUDED.assignee,
       escalation_level = EXCLUDED.escalation_level, breached = EXCLUDED.breached,
       sla_deadline = EXCLUDED.sla_deadline, expected_qty = EXCLUDED.expected_qty,
       observed_qty = EXCLUDED.observed_qty, variance = EXCLUDED.variance,
       value_at_risk = EXCLUDED.value_at_risk, occurrences = EXCLUDED.occurrences,
       source_event_ids = EXCLUDED.source_event_ids, policy_version = EXCLUDED.policy_version,
       scorer_version = CASE WHEN $41::boolean THEN discrepancies.scorer_version ELSE EXCLUDED.scorer_version END,
       confidence = CASE WHEN $41::boolean THEN discrepancies.confidence ELSE EXCLUDED.confidence END,
       priority = CASE WHEN $41::boolean THEN discrepancies.priority ELSE EXCLUDED.priority END,
       explanation = CASE WHEN $41::boolean THEN discrepancies.explanation ELSE EXCLUDED.explanation END,
       score = CASE WHEN $41::boolean THEN discrepancies.score ELSE EXCLUDED.score END,
       evidence = CASE WHEN $40::boolean THEN discrepancies.evidence ELSE EXCLUDED.evidence END,
       decision = EXCLUDED.decision,
       first_action_at = EXCLUDED.first_action_at, closed_at = EXCLUDED.closed_at,
       row_version = EXCLUDED.row_version, shadow = EXCLUDED.shadow, state = EXCLUDED.state,
       source_event_count = EXCLUDED.source_event_count, updated_at = now(),
       -- a row the intake wrote before the worker ran (version 0) takes the workflow's own times
       opened_at = CASE WHEN discrepancies.row_version = 0 THEN EXCLUDED.opened_at ELSE discrepancies.opened_at END,
       detected_at = CASE WHEN discrepancies.row_version = 0 THEN EXCLUDED.detected_at ELSE discrepancies.detected_at END
     WHERE discrepancies.row_version < EXCLUDED.row_version
     RETURNING CASE WHEN $40::boolean THEN evidence END AS evidence, CASE WHEN $41::boolean THEN score END AS score`,
    values: [
      s.caseId, s.workflowId, s.dedupeKey, r.kind, r.site, r.sku, r.location ?? null,
      r.reference ? JSON.stringify(r.reference) : null, s.status, s.severity ?? null, s.resolution ?? null,
      s.ownerRole ?? null, s.assignee ?? null, s.escalationLevel, s.breached, s.slaDeadline ?? null,
      s.expectedQty, s.observedQty, variance, r.unitCost, s.assessment?.valueAtRisk ?? Math.abs(variance) * r.unitCost,
      r.skuClass, r.source, s.occurrences, s.sourceEventIds, s.policyVersion || null,
      s.score?.scorerVersion ?? null, s.score?.confidence ?? null, s.score?.priority ?? null,
      s.score?.explanation ?? null, s.score ? JSON.stringify(s.score) : null,
      s.evidence ? JSON.stringify(s.evidence) : null, s.decision ? JSON.stringify(s.decision) : null,
      r.detectedAt ?? s.openedAt, s.openedAt, s.firstActionAt ?? null, s.closedAt ?? null, rowVersion,
      s.shadow === true, kept.includes('evidence'), kept.includes('score'),
      JSON.stringify(stateSnapshot(s)), s.sourceEventCount ?? s.sourceEventIds.length,
    ],
  });
  const row = res.rows[0];
  if (!row) return { written: false };
  return { written: true, stored: { evidence: row.evidence ?? undefined, score: row.score ?? undefined } };
}

/** The stored evidence and score of a case (a retried transition that wrote nothing needs them). */
export async function storedParts(client: PoolClient | Pool, caseId: string): Promise<Pick<CaseState, KeptPart>> {
  const { rows } = await client.query<{ evidence: CaseState['evidence'] | null; score: CaseState['score'] | null }>(
    'SELECT evidence, score FROM discrepancies WHERE id = $1',
    [caseId],
  );
  return { evidence: rows[0]?.evidence ?? undefined, score: rows[0]?.score ?? undefined };
}

/** The state as the case page shows it: the evidence and score have columns of their own. */
function stateSnapshot(s: CaseState): Omit<CaseState, 'evidence' | 'score'> {
  const { evidence: _evidence, score: _score, ...rest } = s;
  return rest;
}

/** Every source event id a case has had (its state keeps only the latest). */
export async function addCaseSourceEvents(client: PoolClient | Pool, caseId: string, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await client.query({
    name: 'case-source-events',
    text: `INSERT INTO case_source_events (case_id, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    values: [caseId, [...new Set(eventIds)]],
  });
}

export async function caseSourceEvents(pool: Pool, caseId: string): Promise<string[]> {
  const { rows } = await pool.query<{ event_id: string }>('SELECT event_id FROM case_source_events WHERE case_id = $1 ORDER BY recorded_at, event_id', [caseId]);
  return rows.map((r) => r.event_id);
}
