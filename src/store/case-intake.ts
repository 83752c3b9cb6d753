import type { Pool } from 'pg';
import type { CaseState } from '../domain';

export interface IntakeLookup {
  /** the closed case that already took in every source event of the report: the report is its retry */
  consumedBy: string | null;
  /** the workflow id's open case, if the read model has one */
  openId: string | null;
}

/**
 * Before a report's signalWithStart, one round trip: the closed case of this workflow id that
 * took in every one of these source events (a report retried after its case closed belongs to
 * it; the oldest such case consumed them, a later run that only recorded the duplicate did not),
 * and the open case. Prepared: the intake runs it for every report.
 */
export async function lookUpIntake(pool: Pick<Pool, 'query'>, workflowId: string, eventIds: readonly string[]): Promise<IntakeLookup> {
  const { rows } = await pool.query<{ consumed_by: string | null; open_id: string | null }>({
    name: 'intake-lookup',
    text: `SELECT
       (SELECT d.id FROM discrepancies d
         WHERE d.workflow_id = $1 AND d.status = 'closed' AND cardinality($2::text[]) > 0
           AND NOT EXISTS (
             SELECT 1 FROM unnest($2::text[]) AS e(id)
              WHERE NOT e.id = ANY (d.source_event_ids)
                AND NOT EXISTS (SELECT 1 FROM case_source_events c WHERE c.case_id = d.id AND c.event_id = e.id))
         ORDER BY d.opened_at ASC LIMIT 1) AS consumed_by,
       (SELECT id FROM discrepancies WHERE workflow_id = $1 AND status <> 'closed' ORDER BY opened_at DESC LIMIT 1) AS open_id`,
    values: [workflowId, [...new Set(eventIds)]],
  });
  return { consumedBy: rows[0]?.consumed_by ?? null, openId: rows[0]?.open_id ?? null };
}

/**
 * After a report's signalWithStart: the open case of the workflow id if the read model has one
 * (the report merged into it), else the new case's row, written now as `opened` so its link
 * answers at once. Row version 0: the worker's first transition (version 1 and up) overwrites
 * it, and a second writer of the same new case changes nothing. One round trip.
 */
export async function openOrProjectNewCase(pool: Pick<Pool, 'query'>, s: CaseState): Promise<{ id: string; created: boolean }> {
  const r = s.report;
  const variance = s.observedQty - s.expectedQty;
  const { rows } = await pool.query<{ open_id: string | null; created: boolean }>({
    name: 'intake-project-new-case',
    text: `WITH open AS (
       SELECT id FROM discrepancies WHERE workflow_id = $2 AND status <> 'closed' ORDER BY opened_at DESC LIMIT 1
     ), created AS (
       INSERT INTO discrepancies (
         id, workflow_id, dedupe_key, kind, site, sku, location, reference, status, escalation_level, breached,
         expected_qty, observed_qty, variance, unit_cost, value_at_risk, sku_class, source, occurrences,
         source_event_ids, detected_at, opened_at, row_version, shadow, state, source_event_count, updated_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 0, false, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, false, $21, $22, now()
        WHERE NOT EXISTS (SELECT 1 FROM open)
       ON CONFLICT (id) DO NOTHING
       RETURNING id
     ), events AS (
       INSERT INTO case_source_events (case_id, event_id)
       SELECT created.id, e.id FROM created, unnest($18::text[]) AS e(id)
       ON CONFLICT DO NOTHING
     )
     SELECT (SELECT id FROM open) AS open_id, EXISTS (SELECT 1 FROM created) AS created`,
    values: [
      s.caseId, s.workflowId, s.dedupeKey, r.kind, r.site, r.sku, r.location ?? null,
      r.reference ? JSON.stringify(r.reference) : null, s.status, s.expectedQty, s.observedQty, variance, r.unitCost,
      Math.abs(variance) * r.unitCost, r.skuClass, r.source, s.occurrences, s.sourceEventIds,
      r.detectedAt ?? s.openedAt, s.openedAt, JSON.stringify(s), s.sourceEventIds.length,
    ],
  });
  const row = rows[0];
  return row?.open_id ? { id: row.open_id, created: false } : { id: s.caseId, created: row?.created === true };
}
