import { PolicyDocument, type PinnedPolicy } from './policy';
import { at, isObject, mergedForSite, OLDER_SITE_MAPS, type Json, type JsonObject } from './site-layer-merge';

export { mergeLayer, mergedForSite } from './site-layer-merge';

/** The effective policy for a site: the version, its document with the site's layer applied, and which layer that was. */
export function effectivePolicy(pinned: PinnedPolicy, site: string | undefined): PinnedPolicy {
  if (!site || !isObject((pinned.document.overrides as JsonObject | undefined)?.[site])) return pinned;
  // a stored version's document is one object per process (store/policy-repo): merge and parse once per site
  let bySite = memo.get(pinned.document);
  if (!bySite) memo.set(pinned.document, (bySite = new Map()));
  let document = bySite.get(site);
  if (!document) {
    document = PolicyDocument.parse(mergedForSite(pinned.document, site).merged);
    bySite.set(site, document);
  }
  return { version: pinned.version, document, layer: site };
}
const memo = new WeakMap<object, Map<string, PolicyDocument>>();

/** For each value of the effective policy (arrays as one value), the layer it came from. */
export function policySources(pinned: PinnedPolicy, site: string): Record<string, string> {
  const layer = (pinned.document.overrides as JsonObject | undefined)?.[site];
  const effective = effectivePolicy(pinned, site).document as unknown as JsonObject;
  const out: Record<string, string> = {};
  const walk = (v: Json, path: string[]) => {
    if (isObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
      return;
    }
    const p = path.join('.');
    if (p === 'overrides') return;
    if (at(layer, path) !== undefined) out[p] = `site:${site}`;
    else if (OLDER_SITE_MAPS.some((m) => m.map.join('.') === path.slice(0, -1).join('.') && path.at(-1) === site)) out[p] = 'global (per-site setting)';
    else out[p] = 'global';
  };
  walk(effective, []);
  return out;
}
