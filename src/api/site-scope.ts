import { coversSite, type Actor } from '../domain';
import { Forbidden } from './errors';

/**
 * The sites a read covers: the requested ones, all within the key's sites (a site outside them
 * is refused with 403 rather than silently dropped, so an empty feed or zero KPIs never means
 * "no access"); without a request, the key's sites. undefined means every site.
 */
export function sitesInScope(actor: Actor, requested: string[] | undefined): string[] | undefined {
  if (requested) {
    const outside = requested.filter((s) => !coversSite(actor, s));
    if (outside.length > 0) throw new Forbidden(`${actor.userId} has no access to site ${outside.join(', ')}`);
    return [...new Set(requested)];
  }
  return actor.sites.includes('*') ? undefined : [...actor.sites];
}
