import { Router } from 'express';
import type { ApiContext } from '../deps';
import { buildOpenApi } from '../openapi';
import { checkReadiness } from '../services/readiness';
import { hasOpsToken } from './metrics';

/** Liveness, readiness and the spec: no key needed. */
export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();
  let spec: object | undefined;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // the status for anyone (load balancers); which dependency is down, and why, with the ops token
  router.get('/readyz', async (req, res) => {
    const readiness = await checkReadiness(ctx);
    res.status(readiness.status === 'unavailable' ? 503 : 200).json(hasOpsToken(req, ctx.config.OPS_TOKEN) ? readiness : { status: readiness.status });
  });

  router.get('/openapi.json', (_req, res) => {
    spec ??= buildOpenApi();
    res.json(spec);
  });
  return router;
}
