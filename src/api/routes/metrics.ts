import { Router } from 'express';
import type { ApiMetrics } from '../../metrics/api';

/**
 * GET /metrics for Prometheus. No key, like /healthz: scrapers do not carry API keys, and the
 * page holds only aggregates (counts by route, kind, status; no case ids, skus or users). Keep it
 * off the public network (a separate listener or an ingress rule) like any scrape target.
 */
export function metricsRoutes(metrics: ApiMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(text);
  });
  return router;
}
