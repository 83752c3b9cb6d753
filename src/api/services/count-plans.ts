import { coversSite, type Actor } from '../../domain';
import { decodePlanCursor, encodePlanCursor, getPlan, listPlans, type CountPlan } from '../../store/count-plans';
import type { ApiContext } from '../deps';
import { NotFound, ValidationError } from '../errors';
import type { CountPlanListQuery } from '../triage-schemas';

export type CountPlanView = CountPlan & { links: Record<string, string> };

const withLinks = (p: CountPlan): CountPlanView => ({ ...p, links: { self: `/v1/count-plans/${encodeURIComponent(p.id)}` } });

const visibleSites = (actor: Actor): string[] | undefined => (actor.sites.includes('*') ? undefined : actor.sites);

export async function listCountPlans(
  ctx: ApiContext,
  actor: Actor,
  q: CountPlanListQuery,
): Promise<{ items: CountPlanView[]; nextCursor: string | null; limit: number }> {
  const after = q.cursor === undefined ? undefined : decodePlanCursor(q.cursor);
  if (after === null) throw ValidationError.rule([{ path: 'query.cursor', message: 'not a cursor issued by this API' }]);
  const page = await listPlans(ctx.db, { site: q.site, visibleSites: visibleSites(actor) }, { limit: q.limit, after });
  return { items: page.items.map(withLinks), nextCursor: page.next ? encodePlanCursor(page.next) : null, limit: q.limit };
}

/** Another site's plan answers 404 like an unknown one. */
export async function getCountPlanView(ctx: ApiContext, actor: Actor, id: string): Promise<CountPlanView> {
  const plan = await getPlan(ctx.db, id);
  if (!plan || !coversSite(actor, plan.site)) throw new NotFound(`no count plan ${id}`);
  return withLinks(plan);
}
