import {
  DISCREPANCY_KINDS,
  DiscrepancyReport,
  dedupeKey,
  processOf,
  shortHash,
  valueAtRisk,
  varianceOf,
  workflowIdForKey,
  type DiscrepancyKind,
  type DiscrepancyReportInput,
} from '../../src/domain';

/** A report an integration would send for a count that found 3 fewer than the system. */
const base: DiscrepancyReportInput = {
  kind: 'count_variance',
  site: 'DC1',
  sku: 'SKU-123',
  location: 'A-01-03',
  expectedQty: 24,
  observedQty: 21,
  unitCost: 12.5,
  skuClass: 'A',
  source: 'wms',
  sourceEventIds: ['WMS-778812'],
};

function report(overrides: Record<string, unknown> = {}, drop: string[] = []): Record<string, unknown> {
  const r: Record<string, unknown> = { ...base, ...overrides };
  for (const k of drop) delete r[k];
  return r;
}

/** The dotted paths zod reports for an invalid input (unknown keys reported by name). */
function failingPaths(input: unknown): string[] {
  const res = DiscrepancyReport.safeParse(input);
  if (res.success) return [];
  const paths = res.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.')],
  );
  return [...new Set(paths)];
}

describe('DiscrepancyReport schema', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a count variance with every field', report({ reference: { kind: 'count_task', id: 'CT-1', line: '1' }, process: 'counting', causedBy: ['u17'], detectedAt: '2026-11-22T08:15:00Z', note: 'bin looked disturbed', uom: 'CS' })],
    ['the minimal fields (location, reference, uom, class optional)', report({}, ['location', 'skuClass', 'sourceEventIds'])],
    ['a receiving variance against an ASN line', report({ kind: 'receiving_variance', reference: { kind: 'asn', id: 'ASN-889', line: '3' }, expectedQty: 24, observedQty: 20 })],
    ['negative inventory with a negative observation', report({ kind: 'negative_inventory', expectedQty: 0, observedQty: -4 })],
    ['negative inventory where system and floor agree on a negative balance', report({ kind: 'negative_inventory', expectedQty: -4, observedQty: -4 })],
    ['a WMS/ERP mismatch where the ERP (expected) is negative', report({ kind: 'system_mismatch', expectedQty: -2, observedQty: 5 })],
    ['an overage (observed above expected)', report({ observedQty: 30 })],
    ['fractional quantities in a weight unit', report({ uom: 'KG', expectedQty: 10.5, observedQty: 10.25 })],
    ['a zero unit cost (free samples)', report({ unitCost: 0 })],
    ['a detectedAt with an offset', report({ detectedAt: '2026-11-22T09:15:00+01:00' })],
    ['identifiers using . _ - / : #', report({ site: 'DC1.north', sku: 'SKU_1-2/3:4#5', location: 'A/01.03' })],
    ['the longest allowed site (32) and sku (64)', report({ site: 'S'.repeat(32), sku: 'K'.repeat(64) })],
    ['100 source events and 20 causedBy users', report({ sourceEventIds: Array.from({ length: 100 }, (_, i) => `E${i}`), causedBy: Array.from({ length: 20 }, (_, i) => `u${i}`) })],
    ['a 2000-character note', report({ note: 'n'.repeat(2000) })],
  ])('accepts %s', (_name, input) => {
    expect(failingPaths(input)).toEqual([]);
  });

  it.each(DISCREPANCY_KINDS.map((k) => [k]))('accepts every documented kind: %s', (kind) => {
    expect(failingPaths(report({ kind }))).toEqual([]);
  });

  it('fills defaults a sender may leave out: uom EA, class C, no events, nobody involved', () => {
    const parsed = DiscrepancyReport.parse(report({}, ['skuClass', 'sourceEventIds']));
    expect(parsed).toMatchObject({ uom: 'EA', skuClass: 'C', sourceEventIds: [], causedBy: [] });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    // missing required fields
    ['kind missing', report({}, ['kind']), ['kind']],
    ['site missing', report({}, ['site']), ['site']],
    ['sku missing', report({}, ['sku']), ['sku']],
    ['expectedQty missing', report({}, ['expectedQty']), ['expectedQty']],
    ['observedQty missing', report({}, ['observedQty']), ['observedQty']],
    ['unitCost missing', report({}, ['unitCost']), ['unitCost']],
    ['source missing', report({}, ['source']), ['source']],
    ['sku and source missing', report({}, ['sku', 'source']), ['sku', 'source']],
    // wrong types
    ['quantity as a string', report({ expectedQty: '24' }), ['expectedQty']],
    ['quantity NaN', report({ observedQty: Number.NaN }), ['observedQty']],
    ['quantity Infinity', report({ observedQty: Number.POSITIVE_INFINITY }), ['observedQty']],
    ['site as a number', report({ site: 1 }), ['site']],
    ['sourceEventIds as a string', report({ sourceEventIds: 'E1' }), ['sourceEventIds']],
    ['a non-string event id', report({ sourceEventIds: ['E1', 7] }), ['sourceEventIds.1']],
    ['detectedAt not ISO', report({ detectedAt: '22/11/2026' }), ['detectedAt']],
    ['reference without an id', report({ reference: { kind: 'asn' } }), ['reference.id']],
    ['the whole report as an array', [base] as unknown as Record<string, unknown>, ['']],
    // enums
    ['unknown kind', report({ kind: 'stock_vanished' }), ['kind']],
    ['unknown sku class', report({ skuClass: 'D' }), ['skuClass']],
    ['unknown process', report({ process: 'shipping' }), ['process']],
    ['unknown reference kind', report({ reference: { kind: 'invoice', id: 'INV-1' } }), ['reference.kind']],
    // identifiers
    ['empty site', report({ site: '' }), ['site']],
    ['site with a space', report({ site: 'DC 1' }), ['site']],
    ['sku starting with a dash', report({ sku: '-SKU' }), ['sku']],
    ['location with a pipe (the key separator)', report({ location: 'A|01' }), ['location']],
    // unknown fields (strict)
    ['an unknown field', report({ warehouse: 'DC1' }), ['warehouse']],
    // negative quantities
    ['negative observed on a count variance', report({ observedQty: -1 }), ['observedQty']],
    ['negative expected on a count variance', report({ expectedQty: -1 }), ['expectedQty']],
    ['negative expected on a receiving variance', report({ kind: 'receiving_variance', expectedQty: -5 }), ['expectedQty']],
    ['negative observed on a system mismatch', report({ kind: 'system_mismatch', observedQty: -1 }), ['observedQty']],
    ['negative unit cost', report({ unitCost: -0.01 }), ['unitCost']],
    // out of range numbers: 1e9 is the largest quantity, 1e7 the largest unit cost
    ['quantity above 1e9', report({ expectedQty: 1e9 + 1 }), ['expectedQty']],
    ['unit cost above 1e7', report({ unitCost: 1e7 + 1 }), ['unitCost']],
    // equal expected/observed: nothing to investigate
    ['expected equals observed', report({ expectedQty: 24, observedQty: 24 }), ['observedQty']],
    ['expected equals observed at zero', report({ expectedQty: 0, observedQty: 0 }), ['observedQty']],
    // oversize strings and arrays
    ['site of 33 characters', report({ site: 'S'.repeat(33) }), ['site']],
    ['sku of 65 characters', report({ sku: 'K'.repeat(65) }), ['sku']],
    ['location of 65 characters', report({ location: 'L'.repeat(65) }), ['location']],
    ['reference id of 65 characters', report({ reference: { kind: 'po', id: 'P'.repeat(65) } }), ['reference.id']],
    ['reference line of 33 characters', report({ reference: { kind: 'po', id: 'PO-1', line: '9'.repeat(33) } }), ['reference.line']],
    ['uom of 9 characters', report({ uom: 'U'.repeat(9) }), ['uom']],
    ['source of 33 characters', report({ source: 's'.repeat(33) }), ['source']],
    ['an event id of 129 characters', report({ sourceEventIds: ['E'.repeat(129)] }), ['sourceEventIds.0']],
    ['101 source events', report({ sourceEventIds: Array.from({ length: 101 }, (_, i) => `E${i}`) }), ['sourceEventIds']],
    ['21 causedBy users', report({ causedBy: Array.from({ length: 21 }, (_, i) => `u${i}`) }), ['causedBy']],
    ['a note of 2001 characters', report({ note: 'n'.repeat(2001) }), ['note']],
  ])('rejects %s', (_name, input, paths) => {
    expect(failingPaths(input).sort()).toEqual([...paths].sort());
  });
});

describe('processOf: which tolerance applies when the report does not say', () => {
  it.each<[DiscrepancyKind, string]>([
    ['receiving_variance', 'receiving'],
    ['count_variance', 'counting'],
    ['phantom_stock', 'picking'],
    ['mis_scan', 'picking'],
    ['return_unposted', 'returns'],
    ['transfer_delay', 'transfers'],
    ['negative_inventory', 'general'],
    ['system_mismatch', 'general'],
    ['shrink_pattern', 'general'],
    ['lot_expiry', 'general'],
  ])('%s → %s', (kind, process) => {
    expect(processOf({ kind })).toBe(process);
  });

  it('an explicit process wins over the kind', () => {
    expect(processOf({ kind: 'receiving_variance', process: 'returns' })).toBe('returns');
  });
});

describe('variance and value at risk', () => {
  it.each([
    // variance = observed − expected
    [24, 21, 21 - 24],
    [24, 30, 30 - 24],
    [0, -4, -4 - 0],
    [-2, 5, 5 - -2],
  ])('expected %d, observed %d → variance %d', (expectedQty, observedQty, variance) => {
    expect(varianceOf({ expectedQty, observedQty })).toBe(variance);
  });

  it.each([
    // |variance| × unit cost, rounded to cents
    [-3, 12.5, 37.5],
    [3, 12.5, 37.5],
    [0, 99, 0],
    [7, 0, 0],
    [1, 0.333, 0.33],
    [-1000, 25, 25000],
  ])('variance %d at %d each → %d at risk', (variance, unitCost, value) => {
    expect(valueAtRisk(variance, unitCost)).toBeCloseTo(value, 2);
  });
});

describe('dedupeKey and workflowIdForKey', () => {
  type KeyFields = Parameters<typeof dedupeKey>[0];
  const key: KeyFields = {
    kind: 'receiving_variance',
    site: 'DC1',
    sku: 'SKU-123',
    location: 'DOCK-1',
    reference: { kind: 'asn', id: 'ASN-889', line: '3' },
  };

  it('the same key gives the same id every time, whatever else the report says', () => {
    const a = DiscrepancyReport.parse(report({ ...key, expectedQty: 24, observedQty: 20, sourceEventIds: ['E1'] }));
    const b = DiscrepancyReport.parse(report({ ...key, expectedQty: 24, observedQty: 18, unitCost: 1, source: 'erp', sourceEventIds: ['E2'] }));
    expect(dedupeKey(a)).toBe(dedupeKey(b));
    expect(workflowIdForKey(a)).toBe(workflowIdForKey(b));
    expect(workflowIdForKey({ ...key })).toBe(workflowIdForKey({ ...key, reference: { ...key.reference! } }));
  });

  it.each<[string, KeyFields]>([
    ['kind', { ...key, kind: 'count_variance' }],
    ['site', { ...key, site: 'DC2' }],
    ['sku', { ...key, sku: 'SKU-124' }],
    ['sku case', { ...key, sku: 'sku-123' }],
    ['reference absent', { ...key, reference: undefined }],
    ['reference kind', { ...key, reference: { kind: 'po', id: 'ASN-889', line: '3' } }],
    ['reference id', { ...key, reference: { kind: 'asn', id: 'ASN-890', line: '3' } }],
    ['reference line', { ...key, reference: { kind: 'asn', id: 'ASN-889', line: '4' } }],
    ['reference line absent', { ...key, reference: { kind: 'asn', id: 'ASN-889' } }],
    // ids may contain ':' — the key must not confuse "id ASN-889:3" with "id ASN-889, line 3"
    ['reference id containing the line', { ...key, reference: { kind: 'asn', id: 'ASN-889:3' } }],
    ['reference id and line split differently', { ...key, reference: { kind: 'asn', id: 'ASN-889:', line: '3' } }],
    // characters the id sanitiser maps to '_' must still give distinct ids (the hash carries the key)
    ['a site differing only in a sanitised character', { ...key, site: 'DC1/x' }],
    ['a site differing only in a sanitised character (2)', { ...key, site: 'DC1:x' }],
    // prefixes longer than the 40-character readable part
    ['a sku differing after 40 characters', { ...key, sku: `${'K'.repeat(40)}-B` }],
  ])('a different %s gives a different key and id', (_field, other) => {
    expect(dedupeKey(other)).not.toBe(dedupeKey(key));
    expect(workflowIdForKey(other)).not.toBe(workflowIdForKey(key));
  });

  it('a document line is one case wherever its stock stands: the dock is not in the key of a line\'s variance, delay or unposted return', () => {
    for (const kind of ['receiving_variance', 'transfer_delay', 'return_unposted'] as const) {
      const line = { ...key, kind };
      expect(workflowIdForKey({ ...line, location: 'DOCK-2' })).toBe(workflowIdForKey(line));
      expect(workflowIdForKey({ ...line, location: undefined })).toBe(workflowIdForKey(line));
    }
    // without a document, or for a kind about a bin, the location is the subject
    const bin: KeyFields = { ...key, kind: 'lot_expiry' };
    expect(workflowIdForKey({ ...bin, location: 'H-02' })).not.toBe(workflowIdForKey(bin));
    const loose: KeyFields = { ...key, reference: undefined };
    expect(workflowIdForKey({ ...loose, location: 'DOCK-2' })).not.toBe(workflowIdForKey(loose));
    expect(workflowIdForKey({ ...loose, location: undefined })).not.toBe(workflowIdForKey(loose));
  });

  it('sanitised look-alikes and long prefixes do not collide with each other', () => {
    const ids = [
      { ...key, site: 'DC1/x' },
      { ...key, site: 'DC1:x' },
      { ...key, site: 'DC1#x' },
      { ...key, site: 'DC1_x' },
      { ...key, sku: `${'K'.repeat(40)}-A` },
      { ...key, sku: `${'K'.repeat(40)}-B` },
    ].map(workflowIdForKey);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each<[string, KeyFields]>([
    ['plain', key],
    ['no location, no reference', { kind: 'negative_inventory', site: 'DC1', sku: 'SKU-1' }],
    ['every allowed punctuation', { ...key, site: 'DC.1', sku: 'A/B:C#D_E-F.G', location: 'Z/1:2#3', reference: { kind: 'other', id: 'X#1/2:3', line: 'a b?&%' } }],
    ['long fields', { ...key, site: 'S'.repeat(32), sku: 'K'.repeat(64), location: 'L'.repeat(64) }],
  ])('ids are URL- and Temporal-safe (%s)', (_name, fields) => {
    const id = workflowIdForKey(fields);
    // letters, digits, . _ - only: no encoding needed in /v1/discrepancies/{id} or the Temporal UI
    expect(id).toMatch(/^disc-[A-Za-z0-9._-]+$/);
    expect(encodeURIComponent(id)).toBe(id);
    expect(id.length).toBeLessThanOrEqual(200);
    expect(id.startsWith(`disc-${fields.kind}-`)).toBe(true);
    // readable: operators see the site and sku (sanitised, at most 40 characters each)
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
    expect(id).toBe(`disc-${fields.kind}-${safe(fields.site)}-${safe(fields.sku)}-${shortHash(dedupeKey(fields))}`);
  });

  it('shortHash is 16 lowercase hex digits and deterministic', () => {
    for (const text of ['', 'a', 'receiving_variance|DC1|SKU-1||', 'é∑']) {
      expect(shortHash(text)).toMatch(/^[0-9a-f]{16}$/);
      expect(shortHash(text)).toBe(shortHash(text));
    }
    expect(shortHash('a')).not.toBe(shortHash('b'));
  });

  it('ten thousand distinct keys give ten thousand distinct ids', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(workflowIdForKey({ kind: 'count_variance', site: 'DC1', sku: `SKU-${i}`, location: `A-${i % 97}` }));
    expect(ids.size).toBe(10_000);
  });
});
