import { Router } from 'express';
import { actorOf, oneOf, requireRole } from '../auth';
import { ClassClearQuery, ClassOverrideBody, ClassSiteQuery, SkuPathParams } from '../class-schemas';
import type { ApiContext } from '../deps';
import { getSkuClass, overrideSkuClass } from '../services/sku-classes';
import { parseInput } from '../validate';

/** Who may set a class by hand: the people who run the count programme. */
export const CLASS_OVERRIDE_ROLES = oneOf('admin', 'inventory_control');

/** /v1/skus/{sku}/class?site=: a sku's ABC class at a site, and manual overrides (audited). */
export function skuClassRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/:sku/class', async (req, res) => {
    const { sku } = parseInput(SkuPathParams, req.params, 'path');
    const { site } = parseInput(ClassSiteQuery, req.query, 'query');
    res.json(await getSkuClass(ctx, actorOf(req), site, sku));
  });
  router.put('/:sku/class', requireRole(CLASS_OVERRIDE_ROLES), async (req, res) => {
    const { sku } = parseInput(SkuPathParams, req.params, 'path');
    const { site } = parseInput(ClassSiteQuery, req.query, 'query');
    const { skuClass, reason } = parseInput(ClassOverrideBody, req.body ?? {}, 'body');
    res.json(await overrideSkuClass(ctx, actorOf(req), { site, sku, skuClass, reason }));
  });
  router.delete('/:sku/class', requireRole(CLASS_OVERRIDE_ROLES), async (req, res) => {
    const { sku } = parseInput(SkuPathParams, req.params, 'path');
    const { site, reason } = parseInput(ClassClearQuery, req.query, 'query');
    res.json(await overrideSkuClass(ctx, actorOf(req), { site, sku, skuClass: null, reason }));
  });
  return router;
}
