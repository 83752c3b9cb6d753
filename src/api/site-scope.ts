import { coversSite, type Actor } from '../domain';
import { NotFound } from './errors';

/**
 * The sites a read covers: the requested ones, all within the key's sites; without a request,
 * the key's sites (undefined: every site). A requested site outside them answers 404, as a site
 * that does not exist would for that key: never 403, which would tell the caller it exists, and
 * never silently dropped, so an empty feed or zero KPIs never means "no access".
 */
export function sitesInScope(actor: Actor, requested: string[] | undefined): string[] | undefined {
  if (requested) {
    const outside = requested.filter((s) => !coversSite(actor, s));
    if (outside.length > 0) throw new NotFound(`no site ${outside.join(', ')}`);
    return [...new Set(requested)];
  }
  return actor.sites.includes('*') ? undefined : [...actor.sites];
}
