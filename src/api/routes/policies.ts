import { Router, type Request } from 'express';
import { z } from 'zod';
import { effectivePolicy, PolicyDocument, policyDiff, policySources } from '../../domain';
import { createPolicyVersion, getActivePolicy, getPolicyVersion, StalePolicyVersion } from '../../store/policy-repo';
import { actorOf, oneOf, requireRole } from '../auth';
import type { ApiContext } from '../deps';
import { NotFound, PreconditionFailed, PreconditionRequired, ValidationError } from '../errors';
import { EffectivePolicyQuery, PolicyChangeBody, PolicyVersionParam } from '../schemas';
import { parseInput } from '../validate';

/** A version's entity tag: the version number, quoted. */
export const policyEtag = (version: number): string => `"${version}"`;

/**
 * The version an If-Match names: `"7"`, `W/"7"` or a bare 7. Missing is 428: a policy write
 * without it could silently undo another admin's change made since the writer read the policy.
 */
function ifMatchVersion(req: Request): number {
  const raw = req.get('If-Match');
  if (raw === undefined) throw new PreconditionRequired('a policy change needs If-Match with the version it changes (the ETag of GET /v1/policies/active)');
  const m = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(raw);
  if (!m) throw new ValidationError([{ path: 'header.if-match', message: 'a policy version, as the ETag gives it: "7"' }]);
  return Number(m[1]);
}

/** /v1/policies: the active policy for anyone with a key; new versions for admins. */
export function policyRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/active', async (_req, res) => {
    const active = await getActivePolicy(ctx.db);
    res.set('ETag', policyEtag(active.version)).json(active);
  });

  // the active (or a given) version as it applies at a site, and which layer each value came from
  router.get('/effective', async (req, res) => {
    const { site, version } = parseInput(EffectivePolicyQuery, req.query, 'query');
    const pinned = version ? await getPolicyVersion(ctx.db, version) : await getActivePolicy(ctx.db);
    if (!pinned) throw new NotFound(`no policy version ${version}`);
    const effective = effectivePolicy(pinned, site);
    res.set('ETag', policyEtag(pinned.version)).json({
      version: pinned.version,
      site,
      layer: effective.layer ?? null,
      document: effective.document,
      sources: policySources(pinned, site),
    });
  });

  router.get('/:version', async (req, res) => {
    const { version } = parseInput(z.object({ version: PolicyVersionParam }), req.params, 'path');
    const policy = await getPolicyVersion(ctx.db, version);
    if (!policy) throw new NotFound(`no policy version ${version}`);
    res.set('ETag', policyEtag(policy.version)).json(policy);
  });

  router.get('/:from/diff/:to', async (req, res) => {
    const { from, to } = parseInput(z.object({ from: PolicyVersionParam, to: PolicyVersionParam }), req.params, 'path');
    const [a, b] = await Promise.all([getPolicyVersion(ctx.db, from), getPolicyVersion(ctx.db, to)]);
    if (!a || !b) throw new NotFound(`no policy version ${!a ? from : to}`);
    res.json({ from, to, changes: policyDiff(a.document, b.document) });
  });

  // the document with a `reason`: why the version is made, kept with it and in the audit log;
  // compare-and-set: If-Match names the version the change was made from (412 if another came since)
  router.post('/', requireRole(oneOf('admin')), async (req, res) => {
    const { reason, ...fields } = parseInput(PolicyChangeBody, req.body ?? {}, 'body');
    const ifVersion = ifMatchVersion(req);
    const document = PolicyDocument.parse(fields);
    try {
      const created = await createPolicyVersion(ctx.db, document, actorOf(req).userId, reason, ifVersion);
      res.status(201).location(`/v1/policies/${created.version}`).set('ETag', policyEtag(created.version)).json(created);
    } catch (err) {
      if (err instanceof StalePolicyVersion) throw new PreconditionFailed(err.message, policyEtag(err.current));
      throw err;
    }
  });
  return router;
}
