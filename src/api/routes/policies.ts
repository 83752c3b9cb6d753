import { Router } from 'express';
import { z } from 'zod';
import { PolicyDocument } from '../../domain';
import { createPolicyVersion, getActivePolicy, getPolicyVersion } from '../../store/policy-repo';
import { actorOf, oneOf, requireRole } from '../auth';
import type { ApiContext } from '../deps';
import { NotFound } from '../errors';
import { PolicyVersionParam } from '../schemas';
import { parseInput } from '../validate';

/** /v1/policies: the active policy for anyone with a key; new versions for admins. */
export function policyRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/active', async (_req, res) => {
    res.json(await getActivePolicy(ctx.db));
  });

  router.get('/:version', async (req, res) => {
    const { version } = parseInput(z.object({ version: PolicyVersionParam }), req.params, 'path');
    const policy = await getPolicyVersion(ctx.db, version);
    if (!policy) throw new NotFound(`no policy version ${version}`);
    res.json(policy);
  });

  router.post('/', requireRole(oneOf('admin')), async (req, res) => {
    const document = parseInput(PolicyDocument, req.body ?? {}, 'body');
    const created = await createPolicyVersion(ctx.db, document, actorOf(req).userId);
    res.status(201).location(`/v1/policies/${created.version}`).json(created);
  });
  return router;
}
