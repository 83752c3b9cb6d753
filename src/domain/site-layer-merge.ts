/**
 * Per-site policy (docs/policy.md): a policy document's `overrides` hold, per site, a partial
 * policy laid over the global one. Objects merge key by key; arrays and plain values replace
 * (a site's ladder rungs or routes are its own list, not a blend). The merge runs outside the
 * workflow, in the activity that pins the policy, so the case carries the effective document.
 */
export type Json = unknown;
export type JsonObject = Record<string, Json>;

export function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeLayer(base: Json, layer: Json): Json {
  if (!isObject(base) || !isObject(layer)) return layer === undefined ? base : layer;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(layer)) out[k] = v === undefined ? base[k] : mergeLayer(base[k], v);
  return out;
}

/**
 * Settings that had a per-site map before the layer existed (scorer, shadow, recount wait): a site
 * layer that sets the setting also wins over the older map's entry for its site.
 */
export const OLDER_SITE_MAPS: { setting: string[]; map: string[] }[] = [
  { setting: ['scoring', 'scorer'], map: ['scoring', 'sites'] },
  { setting: ['shadow', 'enabled'], map: ['shadow', 'sites'] },
  { setting: ['recounts', 'timeout'], map: ['recounts', 'timeoutBySite'] },
];

export function at(o: Json, path: string[]): Json {
  return path.reduce<Json>((v, k) => (isObject(v) ? v[k] : undefined), o);
}

/** The document as it applies at a site (without any site's overrides), unparsed. */
export function mergedForSite(doc: object, site: string): { merged: JsonObject; layer?: string } {
  const { overrides, ...global } = doc as JsonObject;
  const layer = isObject(overrides) ? overrides[site] : undefined;
  if (!isObject(layer)) return { merged: { ...global, overrides: {} } };
  const merged = mergeLayer(global, layer) as JsonObject;
  for (const { setting, map } of OLDER_SITE_MAPS) {
    const m = at(merged, map);
    if (at(layer, setting) !== undefined && isObject(m) && site in m) {
      const rest = { ...m };
      delete rest[site];
      (at(merged, map.slice(0, -1)) as JsonObject)[map.at(-1)!] = rest;
    }
  }
  return { merged: { ...merged, overrides: {} }, layer: site };
}

