import type { Actor, SkuClass } from '../../domain';
import { changeClassOverride, classHistory, readSkuClass, type SkuClassRecord } from '../../store/class-overrides';
import type { ApiContext } from '../deps';
import type { SkuClassView } from '../class-schemas';
import { sitesInScope } from '../site-scope';

async function view(ctx: ApiContext, r: SkuClassRecord, changed?: boolean): Promise<SkuClassView> {
  const skuClass = r.override?.skuClass ?? r.computed?.skuClass ?? null;
  return {
    ...r,
    skuClass,
    source: r.override ? 'override' : r.computed ? 'computed' : null,
    ...(changed === undefined ? {} : { changed }),
    history: await classHistory(ctx.db, r.site, r.sku),
  };
}

/** A sku's class at a site: computed, overridden, and who changed it when and why. */
export async function getSkuClass(ctx: ApiContext, actor: Actor, site: string, sku: string): Promise<SkuClassView> {
  sitesInScope(actor, [site]);
  return view(ctx, await readSkuClass(ctx.db, site, sku));
}

/** Sets (skuClass) or clears (null) a person's class; the planner uses it from its next run. */
export async function overrideSkuClass(ctx: ApiContext, actor: Actor, o: { site: string; sku: string; skuClass: SkuClass | null; reason: string }): Promise<SkuClassView> {
  sitesInScope(actor, [o.site]);
  const { changed, record } = await changeClassOverride(ctx.db, { ...o, by: actor.userId });
  return view(ctx, record, changed);
}
