import type { InventoryEvent } from '../domain';
import { currentCorrelation, withCorrelation } from '../observability/correlation';
import { acceptEvent, acceptEvents, type EventIntake, type EventOutcome } from './event-intake';

/** At most this many events taken in together. */
const MAX_BATCH = 250;

interface Waiting {
  event: InventoryEvent;
  correlation: ReturnType<typeof currentCorrelation>;
  resolve: (o: EventOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for a door that receives events one at a time but many at once (the queue
 * consumer with prefetch): an event that arrives while a batch is being taken in waits and
 * joins the next one, so under load each intake is one set-based batch, and a lone event goes
 * straight through. A batch that fails is taken again one event at a time, so each message meets
 * its own outcome (a data exception is that message's alone; a transient failure fails each).
 */
export class EventCoalescer {
  private queue: Waiting[] = [];
  private draining = false;

  constructor(private readonly intake: EventIntake) {}

  take(event: InventoryEvent): Promise<EventOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, correlation: currentCorrelation(), resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        // the batch runs under its first message's correlation id
        const first = batch[0].correlation;
        await (first ? withCorrelation(first, () => this.takeBatch(batch)) : this.takeBatch(batch));
      }
    } finally {
      this.draining = false;
    }
  }

  private async takeBatch(batch: Waiting[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const outcomes = await acceptEvents(this.intake, batch.map((w) => w.event), { dataExceptions: 'throw' });
        batch.forEach((w, i) => w.resolve(outcomes[i]));
        return;
      } catch {
        // each alone below: the stored ones are duplicates now, phase two finishes them
      }
    }
    await Promise.all(batch.map((w) =>
      (w.correlation ? withCorrelation(w.correlation, () => this.takeOne(w.event)) : this.takeOne(w.event)).then(w.resolve, w.reject),
    ));
  }

  private takeOne(event: InventoryEvent): Promise<EventOutcome> {
    return acceptEvent(this.intake, event, { dataExceptions: 'throw' });
  }
}
