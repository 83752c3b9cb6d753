import { Router } from 'express';
import { z } from 'zod';
import { NOTIFICATION_CHANNELS } from '../../domain';
import { listSends } from '../../store/notification-sends';
import { actorOf } from '../auth';
import type { ApiContext } from '../deps';
import { sitesInScope } from '../site-scope';
import { parseInput } from '../validate';

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

export const NotificationQuery = z
  .object({
    caseId: z.string().min(1).max(128).optional(),
    status: list(['pending', 'sent', 'failed', 'dead']).optional(),
    channel: list(NOTIFICATION_CHANNELS).optional(),
    site: z.string().min(1).max(32).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/**
 * /v1/notifications: every email, webhook and chat send with its outcome and each try, newest
 * first; `status=dead` lists what never got through. Within the key's sites.
 */
export function notificationRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseInput(NotificationQuery, req.query, 'query');
    const sites = sitesInScope(actorOf(req), q.site ? [q.site] : undefined);
    res.json({ items: await listSends(ctx.db, { caseId: q.caseId, status: q.status, channel: q.channel, sites, limit: q.limit }) });
  });
  return router;
}
