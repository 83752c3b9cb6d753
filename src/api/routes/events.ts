import { Router } from 'express';
import { actorOf, oneOf, requireRole } from '../auth';
import { jsonBody } from '../body';
import type { ApiContext } from '../deps';
import { ingestBatch, ingestOne } from '../services/events';

/** A full batch of 1000 events with attributes is larger than the API's default body limit; each event is capped at MAX_EVENT_BYTES. */
export const EVENTS_BODY_LIMIT = '8mb';

/**
 * /v1/events: one canonical event, or `{ events: [...] }` (up to 1000) with a result per item.
 * Its own body parser so a batch may be larger than other requests.
 */
export function eventRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/', requireRole(oneOf('integration', 'admin')), ...jsonBody(EVENTS_BODY_LIMIT), async (req, res) => {
    const body: unknown = req.body ?? {};
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
    res.status(200).json(isBatch ? await ingestBatch(ctx, actorOf(req), body) : await ingestOne(ctx, actorOf(req), body, req.bodyBytes ?? 0));
  });
  return router;
}
