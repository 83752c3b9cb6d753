import type { Pool } from 'pg';
import { createSession } from '../src/store/session-repo';
import { upsertUser } from '../src/store/user-repo';

export const SITES = 40;

export function site(k: number): string {
  return `QS-${String(k % SITES).padStart(2, '0')}`;
}

/**
 * Rows `from`..`to-1` of a synthetic read model: 40 sites, most cases closed, the rest spread
 * over the waiting statuses, severities skewed to info/review, half a year of history; a fifth
 * of the approvals are assigned to one of 50 people (the inbox's "mine" and assignee filters).
 */
export async function insertSynthetic(db: Pool, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO discrepancies (id, workflow_id, dedupe_key, kind, site, sku, location, status, severity, resolution,
       owner_role, assignee, escalation_level, breached, sla_deadline, expected_qty, observed_qty, variance, unit_cost,
       value_at_risk, sku_class, source, occurrences, source_event_ids, policy_version, scorer_version, confidence,
       priority, explanation, detected_at, opened_at, closed_at, row_version)
     SELECT 'syn-' || g, 'disc-syn-' || g, 'syn|' || g,
       (ARRAY['count_variance','receiving_variance','system_mismatch','negative_inventory','phantom_stock'])[1 + g % 5],
       'QS-' || lpad((g % ${SITES})::text, 2, '0'), 'SKU-' || (g % 20000), 'A-' || (g % 500),
       status, severity,
       CASE WHEN status = 'closed' THEN 'auto_resolved' END,
       CASE WHEN status = 'awaiting_approval' THEN 'inventory_control' END,
       CASE WHEN status = 'awaiting_approval' AND r3 < 0.2 THEN 'user-' || (g % 50) END,
       0, r3 < 0.05,
       CASE WHEN status = 'awaiting_approval' THEN opened + interval '8 hours' END,
       100, 100 - variance, -variance, 10, variance * 10, 'B', 'wms', 1, ARRAY['SYN-' || g], 1, 'rules-v1',
       round(r3::numeric, 3), (r3 * 100)::int, 'synthetic', opened, opened,
       CASE WHEN status = 'closed' THEN opened + interval '1 hour' END, 1
     FROM (
       SELECT g, r3, now() - r1 * interval '180 days' AS opened, (1 + floor(r2 * 40))::int AS variance,
         CASE WHEN r1 < 0.70 THEN 'closed' WHEN r1 < 0.85 THEN 'awaiting_approval' WHEN r1 < 0.92 THEN 'awaiting_recount'
              ELSE 'gathering_evidence' END AS status,
         CASE WHEN r2 < 0.45 THEN 'info' WHEN r2 < 0.85 THEN 'review' WHEN r2 < 0.97 THEN 'high' ELSE 'critical' END AS severity
       FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3 FROM generate_series($1::int, $2::int - 1) g) x
     ) s`,
    [from, to],
  );
  // what autovacuum does after a bulk insert: statistics and the visibility map (index-only scans)
  await db.query('VACUUM ANALYZE discrepancies');
}

/** The inbox's people: an approver of two sites, a supervisor of one, an admin of every site. */
export interface InboxPersonas {
  approver: (k: number) => Record<string, string>;
  admin: Record<string, string>;
}

/**
 * One inbox user per pair of sites (an approver: inventory_control) and an admin, each with a
 * session made directly in the store (the sign-in page's password hashing is not what is timed).
 */
export async function createInboxPersonas(db: Pool): Promise<InboxPersonas> {
  const session = async (id: string, roles: string[], sites: string[]) => {
    await upsertUser(db, { id, name: id, roles, sites, passwordHash: 'not-used' });
    const { token } = await createSession(db, id, 3_600_000);
    return { cookie: `reckon_session=${encodeURIComponent(token)}` };
  };
  const approvers: Record<string, string>[] = [];
  for (let k = 0; k < SITES; k += 2) approvers.push(await session(`user-${k}`, ['inventory_control'], [site(k), site(k + 1)]));
  return { approver: (k) => approvers[(k >> 1) % approvers.length], admin: await session('bench-admin', ['admin'], ['*']) };
}
