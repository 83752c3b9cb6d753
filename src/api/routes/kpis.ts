import { Router } from 'express';
import { actorOf } from '../auth';
import type { ApiContext } from '../deps';
import { KpiQuery } from '../ops-schemas';
import { computeKpis } from '../services/kpis';
import { parseInput } from '../validate';

/** /v1/kpis: any role may read the KPIs of its sites. */
export function kpiRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseInput(KpiQuery, req.query, 'query');
    res.json(await computeKpis(ctx, actorOf(req), query));
  });
  return router;
}
