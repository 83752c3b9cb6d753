import type { DiscrepancyReport } from '../domain';

/**
 * What a case shares with others, for clustering into incidents (docs/triage.md: "same bin, same
 * user, same ASN"). Every link is within one site.
 */
export const LINK_KINDS = ['bin', 'user', 'document', 'sku_family'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export interface CaseLink {
  kind: LinkKind;
  key: string;
}

const SEPARATORS = /[-_./]/;

/**
 * A SKU's family: the item master's `family` attribute when it has one (model.items.family);
 * otherwise the SKU code without its last segment, but only for codes of three or more segments
 * ("DRILL-18V-KIT" → "DRILL-18V"). Two-segment codes such as "SKU-123" carry no family: their
 * prefix is a numbering scheme, not a product line, and would cluster everything together.
 */
export function skuFamily(sku: string, masterFamily?: string | null): string | undefined {
  if (masterFamily && masterFamily.trim()) return masterFamily.trim();
  const segments = sku.split(SEPARATORS);
  if (segments.length < 3 || segments.some((s) => s.length === 0)) return undefined;
  const last = segments[segments.length - 1];
  return sku.slice(0, sku.length - last.length - 1);
}

/**
 * The links of a case: its bin (location), each user whose transaction or count caused it, its
 * document (kind and id; the line does not matter — a short ASN shows on several lines), and its
 * SKU family. Sorted, without duplicates.
 */
export function linksOf(report: Pick<DiscrepancyReport, 'location' | 'causedBy' | 'reference' | 'sku'>, family?: string): CaseLink[] {
  const links: CaseLink[] = [];
  if (report.location) links.push({ kind: 'bin', key: report.location });
  for (const user of new Set(report.causedBy ?? [])) links.push({ kind: 'user', key: user });
  if (report.reference) links.push({ kind: 'document', key: `${report.reference.kind}:${report.reference.id}` });
  if (family) links.push({ kind: 'sku_family', key: family });
  return links.sort((a, b) => (a.kind === b.kind ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.kind < b.kind ? -1 : 1));
}

/** A signed 32-bit FNV-1a of the link, for the second key of a Postgres advisory lock. */
export function linkLockKey(site: string, link: CaseLink): number {
  const text = `${site}|${link.kind}|${link.key}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
