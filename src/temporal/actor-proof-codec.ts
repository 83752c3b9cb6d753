import type { KeyObject } from 'node:crypto';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { proofHolds, publicKeyFromBase64 } from './actor-proof';

const JSON_PLAIN = 'json/plain';
const ACTOR_KEY = Buffer.from('"actor"');
const PROOF_KEY = Buffer.from('"proof"');
const MARK_KEY = Buffer.from('"verified"');
const BACKSLASH = 0x5c;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Worker-side payload codec: every decoded payload whose top-level `actor` object carries a
 * proof or a mark gets `actor.verified` set here — true only when the API's signature holds —
 * overwriting whatever the sender put there. The workflow's update validators (sandboxed: no crypto, no keys) then
 * refuse an unverified actor. Encoding passes through: nothing the worker sends is changed.
 *
 * Payloads are decoded as the workflow will decode them (the SDK's own converter), so no
 * encoding trick reaches the workflow unmarked; a payload without the bytes `"actor"` and
 * `"proof"` or `"verified"`, and without a backslash (no escaped key), cannot hold a proof or a
 * mark and passes untouched.
 */
export class ActorProofCodec implements PayloadCodec {
  constructor(
    private readonly verifyingKey: KeyObject,
    private readonly now: () => number = Date.now,
  ) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((p) => this.mark(p)));
  }

  private mark(p: Payload): Payload {
    const encoding = p.metadata?.encoding;
    if (!encoding || !p.data || Buffer.from(encoding).toString() !== JSON_PLAIN) return p;
    const data = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength);
    // only an actor with a proof or a mark is rewritten below: without those keys spelled out (or
    // an escape that could spell them) there is nothing to do, and most payloads are skipped unread
    const spelled = data.indexOf(ACTOR_KEY) >= 0 && (data.indexOf(PROOF_KEY) >= 0 || data.indexOf(MARK_KEY) >= 0);
    if (!spelled && data.indexOf(BACKSLASH) < 0) return p;
    let value: unknown;
    try {
      value = defaultPayloadConverter.fromPayload(p);
    } catch {
      return p; // the workflow cannot decode it either
    }
    if (!isObject(value) || !isObject(value.actor)) return p;
    // an actor with neither a proof nor a mark is refused as it is (verified must be true);
    // other payloads with an actor field (an event's, an adjustment's) pass untouched
    if (!('proof' in value) && !('verified' in value.actor)) return p;
    const verified = proofHolds(this.verifyingKey, value, this.now());
    return defaultPayloadConverter.toPayload({ ...value, actor: { ...value.actor, verified } });
  }
}

/** The worker's data converter: its payloads pass through the actor-proof codec (any Reckon worker needs it). */
export function actorProofDataConverter(config: { ACTOR_VERIFY_KEY: string }): { payloadCodecs: PayloadCodec[] } {
  return { payloadCodecs: [new ActorProofCodec(publicKeyFromBase64(config.ACTOR_VERIFY_KEY))] };
}
