import { canonicalJson } from '../../src/domain';

describe('canonicalJson: equal evidence gives an equal digest input', () => {
  it.each<[string, unknown, string]>([
    ['keys sorted', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['nested keys sorted', { z: { y: 1, x: [{ d: 1, c: 2 }] } }, '{"z":{"x":[{"c":2,"d":1}],"y":1}}'],
    ['undefined fields dropped', { a: undefined, b: null }, '{"b":null}'],
    ['array order kept', [3, 1, 2], '[3,1,2]'],
    ['strings escaped', { 'k"': 'v\n' }, '{"k\\"":"v\\n"}'],
    ['scalars', 42, '42'],
    ['null', null, 'null'],
    ['undefined', undefined, 'null'],
  ])('%s', (_name, value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('the same evidence in a different key order is the same text', () => {
    const a = { missing: ['erpOnHand'], wmsBalance: { qty: 5, heldQty: 0 }, openAllocations: [{ id: 'A', qty: 1 }] };
    const b = { openAllocations: [{ qty: 1, id: 'A' }], wmsBalance: { heldQty: 0, qty: 5 }, missing: ['erpOnHand'] };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(JSON.parse(canonicalJson(a))).toEqual(a);
  });
});
