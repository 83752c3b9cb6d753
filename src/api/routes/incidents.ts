import { Router } from 'express';
import { z } from 'zod';
import { actorOf } from '../auth';
import type { ApiContext } from '../deps';
import { getIncidentView, listIncidentPage } from '../services/incidents';
import { IncidentId, IncidentListQuery } from '../triage-schemas';
import { parseInput } from '../validate';

const IdParams = z.object({ id: IncidentId });

/** /v1/incidents: open cases clustered by what they share; any role may read its sites' incidents. */
export function incidentRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseInput(IncidentListQuery, req.query, 'query');
    res.json(await listIncidentPage(ctx, actorOf(req), query));
  });
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    res.json(await getIncidentView(ctx, actorOf(req), id));
  });
  return router;
}
