import { coversSite, type Actor } from '../../domain';
import {
  decodeIncidentCursor,
  encodeIncidentCursor,
  getIncident,
  listIncidents,
  type Incident,
} from '../../store/incident-queries';
import type { ApiContext } from '../deps';
import { NotFound, ValidationError } from '../errors';
import type { IncidentListQuery } from '../triage-schemas';

export type IncidentView = Incident & { links: Record<string, string> };

const withLinks = (i: Incident): IncidentView => ({ ...i, links: { self: `/v1/incidents/${encodeURIComponent(i.id)}` } });

const visibleSites = (actor: Actor): string[] | undefined => (actor.sites.includes('*') ? undefined : actor.sites);

/** Incidents of the key's sites, like the queue: other sites' incidents are simply not there. */
export async function listIncidentPage(
  ctx: ApiContext,
  actor: Actor,
  q: IncidentListQuery,
): Promise<{ items: IncidentView[]; nextCursor: string | null; limit: number }> {
  const after = q.cursor === undefined ? undefined : decodeIncidentCursor(q.cursor);
  if (after === null) throw ValidationError.rule([{ path: 'query.cursor', message: 'not a cursor issued by this API' }]);
  const page = await listIncidents(
    ctx.db,
    { site: q.site, status: q.status, kind: q.kind, visibleSites: visibleSites(actor) },
    { limit: q.limit, after },
  );
  return { items: page.items.map(withLinks), nextCursor: page.next ? encodeIncidentCursor(page.next) : null, limit: q.limit };
}

/** Another site's incident answers 404 like an unknown one. */
export async function getIncidentView(ctx: ApiContext, actor: Actor, id: string): Promise<IncidentView> {
  const incident = await getIncident(ctx.db, id);
  if (!incident || !coversSite(actor, incident.site)) throw new NotFound(`no incident ${id}`);
  return withLinks(incident);
}
