import { z } from 'zod';
import { coversSite, InventoryEvent, type Actor } from '../../domain';
import { causeOf, dispatchEvent, type EventIntakeDeps } from '../../ingest/event-intake';
import { casesOf } from '../../ingest/detections';
import { recordEvent, type RecordedEvent } from '../../ingest/record-event';
import { getActivePolicy } from '../../store/policy-repo';
import type { ApiContext } from '../deps';
import { Forbidden, ValidationError, type FieldError } from '../errors';
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

function intakeDeps(ctx: ApiContext): EventIntakeDeps {
  return {
    temporal: ctx.temporal,
    config: ctx.config,
    stockSource: ctx.config.ADAPTER === 'reference' ? 'ledger' : 'events',
    logger: ctx.logger,
  };
}

/** Fields of a zod failure relative to the item, unknown keys each on their own. */
function fieldErrors(err: z.ZodError): FieldError[] {
  return ValidationError.fromZod(err, 'body').errors.map((e) => ({ path: e.path.replace(/^body\.?/, '') || '(item)', message: e.message }));
}

async function record(ctx: ApiContext, event: InventoryEvent, policy: Awaited<ReturnType<typeof getActivePolicy>>): Promise<RecordedEvent> {
  const deps = intakeDeps(ctx);
  return recordEvent(ctx.db, event, { policy: policy.document, stockSource: deps.stockSource!, logger: ctx.logger });
}

/** The cases the event opened or joined, only those at the caller's sites. */
async function finish(ctx: ApiContext, actor: Actor, event: InventoryEvent, recorded: RecordedEvent): Promise<string[]> {
  if (recorded.status === 'duplicate' && recorded.processed) return casesOf(ctx.db, causeOf(event), actor.sites);
  return withDeadline(ctx, ctx.timeouts.signalMs, () => dispatchEvent(ctx.db, event, recorded, intakeDeps(ctx), actor.sites));
}

/** One event: 400 naming its fields when invalid, 403 outside the key's sites. */
export async function ingestOne(ctx: ApiContext, actor: Actor, body: unknown): Promise<z.infer<typeof EventResult>> {
  const event = parseInput(InventoryEvent, body, 'body');
  if (!coversSite(actor, event.site)) throw new Forbidden(`${actor.userId} may not send events for site ${event.site}`);
  const recorded = await record(ctx, event, await getActivePolicy(ctx.db));
  const cases = await finish(ctx, actor, event, recorded);
  return { status: recorded.status, source: event.source, eventId: event.eventId, cases };
}

/**
 * A batch, in order: every valid item is stored and detected first (one transaction each),
 * then handed to cases and watchers a few at a time. An invalid or out-of-scope item does not
 * fail the others. If Temporal fails part-way the request fails (503) with the stored events
 * kept: resending the batch finishes them, and their duplicates are recognised.
 */
export async function ingestBatch(ctx: ApiContext, actor: Actor, body: unknown): Promise<z.infer<typeof EventBatchResult>> {
  const { events } = parseInput(EventBatch, body, 'body', { itemsCheckedApart: true });
  const policy = await getActivePolicy(ctx.db);
  const results: EventItemResult[] = [];
  const toFinish: { i: number; event: InventoryEvent; recorded: RecordedEvent }[] = [];
  const inBatch = new Set<string>();
  for (const [index, item] of events.entries()) {
    const parsed = InventoryEvent.safeParse(item);
    if (!parsed.success) {
      results.push({ index, status: 'invalid', ...idsOf(item), errors: fieldErrors(parsed.error) });
      continue;
    }
    const event = parsed.data;
    if (!coversSite(actor, event.site)) {
      results.push({ index, status: 'forbidden', source: event.source, eventId: event.eventId, errors: [{ path: 'site', message: `the key may not send events for site ${event.site}` }] });
      continue;
    }
    let recorded: RecordedEvent;
    try {
      recorded = await record(ctx, event, policy);
    } catch (err) {
      if (!isDataException(err)) throw err;
      results.push({ index, status: 'invalid', source: event.source, eventId: event.eventId, errors: [{ path: '(item)', message: 'holds a value that cannot be stored (e.g. a NUL character)' }] });
      continue;
    }
    const key = `${event.source}\u0000${event.site}\u0000${event.eventId}`;
    results.push({ index, status: recorded.status, source: event.source, eventId: event.eventId, cases: [] });
    // the same event twice in one batch is finished once
    if (!inBatch.has(key)) toFinish.push({ i: results.length - 1, event, recorded });
    inBatch.add(key);
  }
  await inParallel(toFinish, 8, async ({ i, event, recorded }) => {
    results[i].cases = await finish(ctx, actor, event, recorded);
  });
  const summary = Object.fromEntries(EVENT_ITEM_STATUSES.map((s) => [s, results.filter((r) => r.status === s).length])) as Record<(typeof EVENT_ITEM_STATUSES)[number], number>;
  return { results, summary };
}

/** Postgres data exceptions (SQLSTATE class 22): the item's own values, not a fault of the service. */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function idsOf(item: unknown): { source?: string; eventId?: string } {
  const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' && v.length <= 128 ? v : undefined);
  return { source: s(o.source), eventId: s(o.eventId) };
}

async function inParallel<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}
