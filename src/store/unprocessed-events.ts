import type { Pool } from 'pg';

/**
 * Events whose phase two (cases, watcher signals) has not completed: the intake marks the
 * event processed last, so a crash in between leaves it here for the sweeper.
 */
export async function markEventProcessed(db: Pool, e: { source: string; site: string; eventId: string }): Promise<void> {
  await db.query(
    'UPDATE inventory_events SET processed_at = now() WHERE source = $1 AND site = $2 AND event_id = $3 AND processed_at IS NULL',
    [e.source, e.site, e.eventId],
  );
}

/**
 * Claims up to `limit` events stored at least `olderThanMs` ago and still unprocessed, oldest
 * first; a claim lasts `claimMs`, so two sweepers never finish the same event at once and a
 * sweeper that died mid-way leaves its claims to the next. Returns the stored bodies.
 */
export async function claimUnprocessedEvents(db: Pool, opts: { olderThanMs: number; claimMs: number; limit: number }): Promise<unknown[]> {
  const { rows } = await db.query<{ body: unknown }>(
    `UPDATE inventory_events e SET dispatch_claimed_at = now()
     FROM (SELECT source, site, event_id FROM inventory_events
           WHERE processed_at IS NULL AND received_at < now() - make_interval(secs => $1::double precision / 1000)
             AND (dispatch_claimed_at IS NULL OR dispatch_claimed_at < now() - make_interval(secs => $2::double precision / 1000))
           ORDER BY received_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
     WHERE e.source = due.source AND e.site = due.site AND e.event_id = due.event_id
     RETURNING e.body`,
    [opts.olderThanMs, opts.claimMs, opts.limit],
  );
  return rows.map((r) => r.body);
}

/** How many stored events still wait for phase two (for metrics and tests). */
export async function countUnprocessedEvents(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inventory_events WHERE processed_at IS NULL');
  return rows[0].n;
}
