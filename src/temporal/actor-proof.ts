import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Actor, ActorProof } from '../domain';

/**
 * Who acts, made verifiable across the API ↔ Temporal boundary (docs/security.md). The API signs
 * every update input with an Ed25519 key only it holds; the worker holds the public half and
 * checks the signature before the workflow sees the input (ActorProofCodec). A client that
 * reaches Temporal directly cannot sign, so its actor is never marked verified.
 */

/** How long a signed input stays valid: an update is sent right after it is signed. */
export const PROOF_MAX_AGE_MS = 5 * 60_000;
/** clocks of the API and the worker may disagree this much */
const CLOCK_SKEW_MS = 60_000;

const privateKeys = new Map<string, KeyObject>();

/** The signing key from its configured text, parsed once per process. */
export function privateKeyFromBase64(der: string): KeyObject {
  let key = privateKeys.get(der);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' });
    privateKeys.set(der, key);
  }
  return key;
}

export function publicKeyFromBase64(der: string): KeyObject {
  return createPublicKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'spki' });
}

/** JSON with object keys sorted at every level (undefined dropped), so both sides sign the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(value ?? null)) as unknown));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

type UpdateInput = Record<string, unknown> & { actor: Actor; proof?: ActorProof };

/** The bytes signed: the binding (workflow, update, update id, time) and the input without proof or mark. */
function signedBytes(p: Omit<ActorProof, 'sig'>, input: Record<string, unknown>): Buffer {
  const { proof: _proof, ...rest } = input;
  const actor = rest.actor as Record<string, unknown> | undefined;
  const body = actor && typeof actor === 'object' ? { ...rest, actor: withoutMark(actor) } : rest;
  return Buffer.from(canonicalJson({ v: p.v, workflowId: p.workflowId, update: p.update, updateId: p.updateId, issuedAt: p.issuedAt, input: body }));
}

function withoutMark(actor: Record<string, unknown>): Record<string, unknown> {
  const { verified: _verified, ...rest } = actor;
  return rest;
}

/** The API side: the update input with a proof binding it to one workflow, update name and update id. */
export function signUpdateInput<T extends { actor: Actor }>(
  key: KeyObject,
  binding: { workflowId: string; update: string; updateId: string },
  input: T,
  now = Date.now(),
): T & { proof: ActorProof } {
  const clean = { ...input, actor: withoutMark(input.actor as unknown as Record<string, unknown>) as unknown as Actor };
  const unsigned = { v: 1 as const, ...binding, issuedAt: now };
  const sig = sign(null, signedBytes(unsigned, clean as Record<string, unknown>), key).toString('base64');
  return { ...clean, proof: { ...unsigned, sig } };
}

/** The worker side: whether the proof is the API's, fresh, and covers exactly this input. */
export function proofHolds(key: KeyObject, input: Record<string, unknown>, now = Date.now()): boolean {
  const p = input.proof as Partial<ActorProof> | undefined;
  if (!p || typeof p !== 'object' || p.v !== 1) return false;
  if (typeof p.workflowId !== 'string' || typeof p.update !== 'string' || typeof p.updateId !== 'string') return false;
  if (typeof p.issuedAt !== 'number' || typeof p.sig !== 'string') return false;
  if (p.issuedAt < now - PROOF_MAX_AGE_MS || p.issuedAt > now + CLOCK_SKEW_MS) return false;
  try {
    return verify(null, signedBytes(p as ActorProof, input), key, Buffer.from(p.sig, 'base64'));
  } catch {
    return false;
  }
}

export type { UpdateInput };
