import { Router } from 'express';
import { z } from 'zod';
import { PolicyDocument, policyDiff } from '../../domain';
import { createPolicyVersion, getActivePolicy, getPolicyVersion } from '../../store/policy-repo';
import { actorOf, oneOf, requireRole } from '../auth';
import type { ApiContext } from '../deps';
import { NotFound } from '../errors';
import { PolicyChangeBody, PolicyVersionParam } from '../schemas';
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

  router.get('/:from/diff/:to', async (req, res) => {
    const { from, to } = parseInput(z.object({ from: PolicyVersionParam, to: PolicyVersionParam }), req.params, 'path');
    const [a, b] = await Promise.all([getPolicyVersion(ctx.db, from), getPolicyVersion(ctx.db, to)]);
    if (!a || !b) throw new NotFound(`no policy version ${!a ? from : to}`);
    res.json({ from, to, changes: policyDiff(a.document, b.document) });
  });

  // the document with a `reason`: why the version is made, kept with it and in the audit log
  router.post('/', requireRole(oneOf('admin')), async (req, res) => {
    const { reason, ...fields } = parseInput(PolicyChangeBody, req.body ?? {}, 'body');
    const document = PolicyDocument.parse(fields);
    const created = await createPolicyVersion(ctx.db, document, actorOf(req).userId, reason);
    res.status(201).location(`/v1/policies/${created.version}`).json(created);
  });
  return router;
}
