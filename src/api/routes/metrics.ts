import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { Unauthorized } from '../errors';
import type { ApiMetrics } from '../../metrics/api';

/** Whether a request carries the ops token (`Authorization: Bearer <OPS_TOKEN>`); no token configured: everyone does. */
export function hasOpsToken(req: Request, token: string): boolean {
  if (!token) return true;
  const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * GET /metrics for Prometheus: aggregates only (counts by route, kind, status; no case ids, skus
 * or users), behind OPS_TOKEN when one is set (scrapers send it as a bearer token). Keep it off
 * the public network too (a separate listener or an ingress rule) like any scrape target.
 */
export function metricsRoutes(metrics: ApiMetrics, opsToken = ''): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!hasOpsToken(req, opsToken)) throw new Unauthorized('/metrics needs the ops token (OPS_TOKEN)');
    const text = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(text);
  });
  return router;
}
