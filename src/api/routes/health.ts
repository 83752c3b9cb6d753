import { Router } from 'express';
import type { ApiContext } from '../deps';
import { buildOpenApi } from '../openapi';
import { checkReadiness } from '../services/readiness';

/** Liveness, readiness and the spec: no key needed. */
export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();
  let spec: object | undefined;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(ctx);
    res.status(readiness.status === 'unavailable' ? 503 : 200).json(readiness);
  });

  router.get('/openapi.json', (_req, res) => {
    spec ??= buildOpenApi();
    res.json(spec);
  });
  return router;
}
