import { Router } from 'express';
import { z } from 'zod';
import { CaseId, NOTIFICATION_CHANNELS, SiteId } from '../../domain';
import { csvList } from '../query-list';
import { listSends } from '../../store/notification-sends';
import { actorOf } from '../auth';
import type { ApiContext } from '../deps';
import { sitesInScope } from '../site-scope';
import { parseInput } from '../validate';

export const NotificationQuery = z
  .object({
    caseId: CaseId.optional(),
    status: csvList(z.enum(['pending', 'sent', 'failed', 'dead'])).optional(),
    channel: csvList(z.enum(NOTIFICATION_CHANNELS)).optional(),
    site: SiteId.optional(),
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
