import { z } from 'zod';
import { coversSite, InventoryEvent, type Actor } from '../../domain';
import { acceptEvent, acceptEvents, type EventIntake, type EventOutcome } from '../../ingest/event-intake';
import type { ApiContext } from '../deps';
import { Forbidden, ValidationError } from '../errors';
import { capOf } from '../body';
import { parseInput } from '../validate';
import { withDeadline } from './temporal';

export const MAX_EVENTS_PER_BATCH = 1000;

/** `{ events: [...] }`: the items stay unparsed here, each is validated on its own. */
export const EventBatch = z
  .object({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH) })
  .strict();

export const EVENT_ITEM_STATUSES = ['accepted', 'duplicate', 'invalid', 'forbidden'] as const;

export const EventResult = z.object({
  status: z.enum(['accepted', 'duplicate']),
  source: z.string(),
  eventId: z.string(),
  /** cases this event opened or joined */
  cases: z.array(z.string()),
});

export const EventItemResult = z.object({
  index: z.number().int(),
  status: z.enum(EVENT_ITEM_STATUSES),
  source: z.string().optional(),
  eventId: z.string().optional(),
  cases: z.array(z.string()).optional(),
  /** for invalid and forbidden items: each failing field, relative to the item */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type EventItemResult = z.infer<typeof EventItemResult>;

export const EventBatchResult = z.object({
  results: z.array(EventItemResult),
  summary: z.record(z.enum(EVENT_ITEM_STATUSES), z.number().int()),
});

/** The API's door into the one event intake (src/ingest/event-intake.ts), Temporal under the API's deadline. */
function intakeOf(ctx: ApiContext): EventIntake {
  return {
    db: ctx.db,
    temporal: ctx.temporal,
    config: ctx.config,
    logger: ctx.logger,
    ...ctx.intakePorts,
    withTemporal: (call) => withDeadline(ctx, ctx.timeouts.signalMs, call),
  };
}

/** One event: 400 naming its fields when invalid, 403 outside the key's sites. */
export async function ingestOne(ctx: ApiContext, actor: Actor, body: unknown, bytes: number): Promise<z.infer<typeof EventResult>> {
  capOf('the event', bytes, ctx.config.MAX_EVENT_BYTES);
  // the wire check first: problem+json paths under `body.`, NUL characters refused wherever they are
  const event = parseInput(InventoryEvent, body, 'body');
  if (!coversSite(actor, event.site)) throw new Forbidden(`${actor.userId} may not send events for site ${event.site}`);
  const out = await acceptEvent(intakeOf(ctx), event, { dataExceptions: 'invalid', sites: actor.sites });
  if (out.status === 'invalid') {
    throw out.zodError ? ValidationError.fromZod(out.zodError, 'body') : new ValidationError(out.errors.map((e) => ({ path: 'body', message: e.message })));
  }
  if (out.status === 'forbidden') throw new Forbidden(`${actor.userId} may not send events for site ${event.site}`);
  return { status: out.status, source: out.source, eventId: out.eventId, cases: out.cases };
}

/**
 * A batch, in order: every valid item is stored and detected first (one transaction each),
 * then handed to cases and watchers a few at a time. An invalid or out-of-scope item does not
 * fail the others. If Temporal fails part-way the request fails (503) with the stored events
 * kept: resending the batch (or the intake sweeper) finishes them.
 */
export async function ingestBatch(ctx: ApiContext, actor: Actor, body: unknown): Promise<z.infer<typeof EventBatchResult>> {
  const { events } = parseInput(EventBatch, body, 'body', { itemsCheckedApart: true });
  // an item over the one event size cap is invalid on its own, as a single event would be 413
  const max = ctx.config.MAX_EVENT_BYTES;
  const sizes = events.map((e) => Buffer.byteLength(JSON.stringify(e) ?? ''));
  const fitting = events.filter((_e, i) => sizes[i] <= max);
  const taken = await acceptEvents(intakeOf(ctx), fitting, { maySend: (site) => coversSite(actor, site), dataExceptions: 'invalid', sites: actor.sites });
  let next = 0;
  const results = events.map((_e, index) =>
    sizes[index] > max
      ? { index, status: 'invalid' as const, errors: [{ path: '(item)', message: `the event is ${sizes[index]} bytes; the limit is ${max} bytes (MAX_EVENT_BYTES)` }] }
      : itemResult(taken[next++], index),
  );
  const summary = Object.fromEntries(EVENT_ITEM_STATUSES.map((s) => [s, results.filter((r) => r.status === s).length])) as Record<(typeof EVENT_ITEM_STATUSES)[number], number>;
  return { results, summary };
}

function itemResult(o: EventOutcome, index: number): EventItemResult {
  if ('cases' in o) return { index, status: o.status, source: o.source, eventId: o.eventId, cases: o.cases };
  return { index, status: o.status, source: o.source, eventId: o.eventId, errors: o.errors };
}
