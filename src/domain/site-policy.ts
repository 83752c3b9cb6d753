import { PolicyDocument, type PinnedPolicy, type ReasonCode } from './policy';
import { at, isObject, mergedForSite, OLDER_SITE_MAPS, type Json, type JsonObject } from './site-layer-merge';

export { mergeLayer, mergedForSite } from './site-layer-merge';

/** The effective policy for a site: the version, its document with the site's layer applied, and which layer that was. */
export function effectivePolicy(pinned: PinnedPolicy, site: string | undefined): PinnedPolicy {
  if (!site || !isObject((pinned.document.overrides as JsonObject | undefined)?.[site])) return pinned;
  const document = derivedOnce(effectiveMemo, pinned.document, site, () => PolicyDocument.parse(mergedForSite(pinned.document, site).merged));
  return { version: pinned.version, document, layer: site };
}
const effectiveMemo = new WeakMap<object, Map<string, PolicyDocument>>();

/**
 * A document derived from a stored version's, built once per key: that document is one object
 * per process (store/policy-repo), so every case of the version shares what is derived from it.
 */
function derivedOnce(memo: WeakMap<object, Map<string, PolicyDocument>>, from: PolicyDocument, key: string, build: () => PolicyDocument): PolicyDocument {
  let byKey = memo.get(from);
  if (!byKey) memo.set(from, (byKey = new Map()));
  let document = byKey.get(key);
  if (!document) byKey.set(key, (document = build()));
  return document;
}

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

/**
 * A case's own slice of its site's effective policy: the reason codes of its kind, its site's
 * calendar and recount wait, no site layers (already merged). Every value a case reads is the
 * same as in the whole document; the slice only travels in its history and cache, so both are
 * smaller. The stored version stays whole for the API and the inbox.
 */
export function casePolicy(pinned: PinnedPolicy, site: string, kind: string): PinnedPolicy {
  const d = pinned.document;
  const document = derivedOnce(sliceMemo, d, `${site}\u0000${kind}`, () => {
    const only = <T>(m: Record<string, T> | undefined): Record<string, T> => (m && site in m ? { [site]: m[site] } : {});
    const { description: _unread, ...rest } = d;
    return {
      ...rest,
      // an older stored document may lack a section: absent stays absent
      ...(d.reasonCodes ? { reasonCodes: d.reasonCodes.filter((r) => !r.kinds || r.kinds.includes(kind as never)).map(caseReasonCode) } : {}),
      ...(d.calendars ? { calendars: only(d.calendars) } : {}),
      recounts: { ...d.recounts, ...(d.recounts.timeoutBySite ? { timeoutBySite: only(d.recounts.timeoutBySite) } : {}) },
      ...(d.overrides ? { overrides: {} } : {}),
    } as PolicyDocument;
  });
  return { ...pinned, document };
}
/** What a case checks a decision's code against; the description only where a refusal names it. */
function caseReasonCode(r: ReasonCode): ReasonCode {
  const { kinds: _theCasesOwn, description, ...rule } = r;
  return { ...rule, description: r.needsComment ? description : '' };
}
const sliceMemo = new WeakMap<object, Map<string, PolicyDocument>>();
