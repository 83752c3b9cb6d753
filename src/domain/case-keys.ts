import type { DiscrepancyReport } from './discrepancy';

/**
 * Kinds whose subject is a document line (an ASN line short, a transfer line late, a return not
 * dispositioned): with the reference in the key, the location stays out of it, so a line
 * received over two docks, or reported once by a detector and once by a watcher, is one case.
 */
const DOCUMENT_LINE_KINDS: ReadonlySet<string> = new Set(['receiving_variance', 'transfer_delay', 'return_unposted']);

/** The dedupe key (docs/architecture.md, "How an event becomes a case"): kind + site + sku + location + reference. */
export function dedupeKey(r: Pick<DiscrepancyReport, 'kind' | 'site' | 'sku' | 'location' | 'reference'>): string {
  const ref = r.reference ? `${r.reference.kind}:${r.reference.id}:${r.reference.line ?? ''}` : '';
  const location = r.reference && DOCUMENT_LINE_KINDS.has(r.kind) ? '' : (r.location ?? '');
  return [r.kind, r.site, r.sku, location, ref].join('|');
}

/** 32-bit FNV-1a twice with different seeds: short, stable, dependency-free (usable in workflows). */
export function shortHash(text: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x01234567);
}

/**
 * Workflow ID for a dedupe key. Readable for operators in the Temporal UI, and unique per key,
 * so Temporal itself enforces "one open case per key".
 */
export function workflowIdForKey(r: Pick<DiscrepancyReport, 'kind' | 'site' | 'sku' | 'location' | 'reference'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return `disc-${r.kind}-${safe(r.site)}-${safe(r.sku)}-${shortHash(dedupeKey(r))}`;
}
