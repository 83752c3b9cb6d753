import fc from 'fast-check';
import {
  dedupeKey,
  DEFAULT_POLICY_INPUT,
  DISCREPANCY_KINDS,
  DiscrepancyReport,
  PolicyDocument,
  workflowIdForKey,
  type DocumentReference,
} from '../../src/domain';

const VALID_REPORT: Record<string, unknown> = {
  kind: 'count_variance',
  site: 'DC1',
  sku: 'SKU-1',
  location: 'A-01-01',
  reference: { kind: 'asn', id: 'ASN-1', line: '1' },
  expectedQty: 10,
  observedQty: 8,
  unitCost: 2,
  source: 'wms',
};

/** A valid document with each field kept, dropped, or replaced by any JSON value (nested too). */
function mangled(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const field = (v: unknown): fc.Arbitrary<unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? fc.oneof(mangled(v as Record<string, unknown>), fc.jsonValue())
      : fc.oneof(fc.constant(v), fc.jsonValue(), fc.double(), fc.string());
  const shape = Object.fromEntries(Object.entries(valid).map(([k, v]) => [k, field(v)]));
  return fc.tuple(fc.record(shape, { requiredKeys: [] }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 })).map(([o, extra]) => ({ ...extra, ...o }));
}

describe('parsing never throws on any JSON: it returns issues', () => {
  it.each([
    ['DiscrepancyReport', DiscrepancyReport, VALID_REPORT],
    ['PolicyDocument', PolicyDocument, DEFAULT_POLICY_INPUT as Record<string, unknown>],
  ] as const)('%s', (_name, schema, valid) => {
    expect(schema.safeParse(valid).success).toBe(true);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mangled(valid)), (input) => {
        const result = schema.safeParse(input);
        if (!result.success) {
          expect(result.error.issues.length).toBeGreaterThan(0);
          for (const issue of result.error.issues) expect(typeof issue.message).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});

// Fields without the key's separators ("|" between fields, ":" inside the reference).
const part = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._\-/#]{0,11}$/);
const reference: fc.Arbitrary<DocumentReference> = fc.record(
  { kind: fc.constantFrom('asn', 'po', 'receipt', 'transfer', 'return', 'count_task', 'order', 'other'), id: part, line: part },
  { requiredKeys: ['kind', 'id'] },
);
const keyFields = fc.record(
  { kind: fc.constantFrom(...DISCREPANCY_KINDS), site: part, sku: part, location: part, reference },
  { requiredKeys: ['kind', 'site', 'sku'] },
);
// a document line's case (receiving variance, transfer delay, unposted return) is keyed by the line, not where it stands
const LINE_KINDS = new Set(['receiving_variance', 'transfer_delay', 'return_unposted']);
const canonical = (k: { kind: string; reference?: unknown; location?: string }) =>
  JSON.stringify(k.reference && LINE_KINDS.has(k.kind) ? { ...k, location: undefined } : k, ['kind', 'site', 'sku', 'location', 'reference', 'id', 'line']);

describe('dedupe key and workflow id', () => {
  it('are injective: different key fields never share a dedupe key or a workflow id', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyFields, { minLength: 2, maxLength: 60, selector: canonical }), (keys) => {
        expect(new Set(keys.map(dedupeKey)).size).toBe(keys.length);
        expect(new Set(keys.map(workflowIdForKey)).size).toBe(keys.length);
      }),
      { numRuns: 300 },
    );
  });

  it('are functions of the key fields only, and the workflow id is a valid, bounded Temporal id', () => {
    fc.assert(
      fc.property(keyFields, fc.integer(), (k, qty) => {
        const a = { ...k, expectedQty: qty, observedQty: qty + 1 };
        expect(dedupeKey(a)).toBe(dedupeKey(k));
        expect(workflowIdForKey(a)).toBe(workflowIdForKey(k));
        expect(workflowIdForKey(k)).toMatch(/^disc-[a-z_]+-[A-Za-z0-9._-]{1,40}-[A-Za-z0-9._-]{1,40}-[0-9a-f]{16}$/);
      }),
    );
  });
});
