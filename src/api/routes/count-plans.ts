import { Router } from 'express';
import { z } from 'zod';
import { actorOf } from '../auth';
import type { ApiContext } from '../deps';
import { getCountPlanView, listCountPlans } from '../services/count-plans';
import { CountPlanId, CountPlanListQuery } from '../triage-schemas';
import { parseInput } from '../validate';

const IdParams = z.object({ id: CountPlanId });

/** /v1/count-plans: what each cycle-count planner run ranked and which count tasks it created. */
export function countPlanRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseInput(CountPlanListQuery, req.query, 'query');
    res.json(await listCountPlans(ctx, actorOf(req), query));
  });
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    res.json(await getCountPlanView(ctx, actorOf(req), id));
  });
  return router;
}
