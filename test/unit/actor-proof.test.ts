import { generateKeyPairSync } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ActorProofCodec } from '../../src/temporal/actor-proof-codec';
import { canonicalJson, signUpdateInput } from '../../src/temporal/actor-proof';

/** The worker's codec decides `actor.verified`; whatever a sender writes there is overwritten. */
const api = generateKeyPairSync('ed25519');
const codec = new ActorProofCodec(api.publicKey);
const binding = { workflowId: 'disc-1', update: 'approve', updateId: 'u-1' };
const root = { userId: 'mallory', roles: ['admin'], sites: ['*'] };

const raw = (text: string): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(text) });
async function seen(p: Payload): Promise<{ actor?: { verified?: boolean; roles?: string[] } }> {
  const [out] = await codec.decode([p]);
  return defaultPayloadConverter.fromPayload(out) as never;
}

it('marks an input signed by the API verified, and the same input with any change not', async () => {
  const signed = signUpdateInput(api.privateKey, binding, { actor: root, reasonCode: 'SHORT_SHIP' });
  expect((await seen(defaultPayloadConverter.toPayload(signed))).actor?.verified).toBe(true);
  const changed = { ...signed, reasonCode: 'OTHER' };
  expect((await seen(defaultPayloadConverter.toPayload(changed))).actor?.verified).toBe(false);
});

it.each<[string, string]>([
  ['a mark set by the sender', JSON.stringify({ actor: { ...root, verified: true }, reasonCode: 'X' })],
  ['a mark behind an escaped key', '{"\\u0061ctor":{"userId":"m","roles":["admin"],"sites":["*"],"verifi\\u0065d":true}}'],
  ['a mark behind a byte-order mark', `\ufeff${JSON.stringify({ actor: { ...root, verified: true } })}`],
  ['a forged proof', JSON.stringify({ actor: { ...root, verified: true }, proof: { v: 1, ...binding, issuedAt: Date.now(), sig: 'AAAA' } })],
])('overwrites %s', async (_how, text) => {
  const out = await seen(raw(text)).catch(() => ({ actor: { verified: false } }));
  expect(out.actor?.verified).not.toBe(true);
});

it('leaves payloads without a proof or a mark untouched', async () => {
  const p = defaultPayloadConverter.toPayload({ actor: 'ic-1', qty: -20 });
  const [out] = await codec.decode([p]);
  expect(out).toBe(p);
});

it('signs canonical JSON: key order does not matter', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
});
