import type { DiscrepancyReportInput, InventoryEvent } from '../../domain';
import { attributesOf } from '../event-attributes';
import type { Features, InboundLine } from '../features/types';
import { beyondTolerance, fmt, reportBase } from './report';
import type { Detector } from './types';

type Inbound = NonNullable<Features['inbound']>;

/**
 * A receiving variance on one line, when received and expected differ beyond the receiving
 * tolerance. Shared with the receivingMatch watcher, which compares open lines at the due time.
 */
export function lineVariance(
  base: Omit<DiscrepancyReportInput, 'expectedQty' | 'observedQty'>,
  f: Pick<Features, 'policy' | 'zones' | 'item'>,
  doc: { kind: Inbound['kind']; id: string },
  line: Pick<InboundLine, 'line' | 'expectedQty' | 'location'>,
  receivedQty: number,
  direction: 'short' | 'over',
): DiscrepancyReportInput | null {
  const variance = receivedQty - line.expectedQty;
  if (direction === 'short' ? variance >= 0 : variance <= 0) return null;
  if (!beyondTolerance(f, { site: base.site, process: 'receiving' }, line.expectedQty, variance)) return null;
  return {
    ...base,
    // where it was received (the receipt's dock; the line's own for a watcher's comparison): where a recount counts
    location: base.location ?? line.location,
    process: 'receiving',
    reference: { kind: doc.kind, id: doc.id, line: line.line || undefined },
    expectedQty: line.expectedQty,
    observedQty: receivedQty,
    note: `${doc.kind.toUpperCase()} ${doc.id}${line.line ? ` line ${line.line}` : ''}: ${direction}, expected ${fmt(line.expectedQty)}, received ${fmt(receivedQty)}`,
  };
}

/**
 * receiving_variance against an announced ASN/PO: a receipt of a sku the line (or document) does
 * not have, or an over-receipt (also on a closed line), at once; a short line when the receipt closes the line or the
 * document. Lines left open are compared by the receivingMatch watcher at the due time.
 */
export const receivingVariance: Detector = {
  name: 'receiving_variance',
  version: '3',
  onEvent(e: InventoryEvent, f) {
    const doc = f.inbound;
    if (e.type !== 'receipt' || !e.sku || e.qty === undefined || !doc || !e.reference) return [];
    // an ERP-sourced receipt is the ERP posting a receipt the WMS already booked (as the ledger and
    // stock effects read it), not a second arrival against the line
    if (e.source.toLowerCase() === 'erp') return [];
    const announced = doc.lines.filter((l) => l.announced);
    if (announced.length === 0) return [];
    const qty = Math.abs(e.qty);
    const a = attributesOf(e);
    const base = reportBase(e, f, 'receiving_variance');
    const named = e.reference.line !== undefined ? announced.find((l) => l.line === e.reference!.line) : announced.find((l) => l.sku === e.sku && !l.closed) ?? announced.find((l) => l.sku === e.sku);

    if (!named || (named.sku !== undefined && named.sku !== e.sku)) {
      const line = e.reference.line ?? '';
      const wrong = lineVariance(base, f, doc, { line, expectedQty: 0 }, qty, 'over');
      return wrong ? [{ ...wrong, note: `${doc.kind.toUpperCase()} ${doc.id}: received ${fmt(qty)} of ${e.sku}, which ${named ? `line ${line} is not (${named.sku})` : 'the document does not list'}` }] : [];
    }

    const out: DiscrepancyReportInput[] = [];
    const received = named.receivedQty + qty;
    // closed or not: more than the line announced is an over-receipt (e.g. a receipt booked twice)
    const over = lineVariance(base, f, doc, named, received, 'over');
    if (over) out.push(over);
    const closing = a.closesDocument ? announced : a.closesLine ? [named] : [];
    for (const l of closing) {
      if (l.closed) continue;
      // another sku's line is valued at its own master data (unknown: at zero), never at this sku's
      const item = l.sku === undefined || l.sku === e.sku ? f.item : (l.item ?? { unitCost: 0, skuClass: 'C' as const });
      const lineBase = l === named ? base : { ...base, sku: l.sku ?? e.sku, unitCost: item.unitCost, skuClass: item.skuClass };
      const short = lineVariance(lineBase, { ...f, item }, doc, l, l === named ? received : l.receivedQty, 'short');
      if (short) out.push(short);
    }
    return out;
  },
};
