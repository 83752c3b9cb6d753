import { Router } from 'express';
import { actorOf, oneOf, requireRole } from '../auth';
import type { ApiContext } from '../deps';
import { CountResultBody } from '../schemas';
import { submitCount } from '../services/counts';
import { parseInput } from '../validate';

/** /v1/counts: count results from the WMS for the count tasks cases asked for. */
export function countRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/', requireRole(oneOf('integration', 'admin')), async (req, res) => {
    const body = parseInput(CountResultBody, req.body ?? {}, 'body');
    res.status(202).json(await submitCount(ctx, actorOf(req), body));
  });
  return router;
}
