import { InventoryEvent } from '../domain';
import type { Logger } from '../logger';
import { claimUnprocessedEvents } from '../store/unprocessed-events';
import { finishEvent, type EventIntake } from './event-intake';
import { finishEvents } from './finish-events';

export interface SweeperOptions {
  /** how often to look */
  everyMs: number;
  /** an event younger than this may still be in its own intake's phase two */
  afterMs: number;
  /** events per sweep */
  batch?: number;
}

/**
 * Finishes stored events whose phase two never ran (the process died between storing and
 * dispatching, or Temporal was down and nobody redelivered): the same phase two the intake
 * runs, so the event opens the cases and signals the watchers it would have.
 */
export class IntakeSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly intake: EventIntake,
    private readonly opts: SweeperOptions,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.sweepOnce().catch((err: unknown) => {
        this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'intake sweep failed; trying again later');
        return 0;
      });
      void this.running.finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.everyMs);
      });
    };
    this.timer = setTimeout(tick, this.opts.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep: returns how many events it finished. One event failing does not stop the others. */
  async sweepOnce(): Promise<number> {
    const bodies = await claimUnprocessedEvents(this.intake.db, {
      olderThanMs: this.opts.afterMs,
      claimMs: Math.max(60_000, this.opts.everyMs * 4),
      limit: this.opts.batch ?? 100,
    });
    const events: InventoryEvent[] = [];
    for (const body of bodies) {
      const parsed = InventoryEvent.safeParse(body);
      if (parsed.success) events.push(parsed.data);
      else this.logger?.error({ body }, 'a stored event no longer parses; left unprocessed');
    }
    const finished = await this.finishAll(events);
    if (finished > 0) this.logger?.info({ finished }, 'intake sweep finished stored events');
    return finished;
  }

  /**
   * The batch as the intake finishes one (cases side by side, one statement to mark them): after
   * an outage the backlog drains at the intake's pace. If any event failed, each goes again on its
   * own (what finished is not redone: its detections are handed over), so the count is exact.
   */
  private async finishAll(events: InventoryEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    try {
      await finishEvents(this.intake, events.map((event) => ({ event, processed: false })));
      return events.length;
    } catch {
      let finished = 0;
      for (const event of events) {
        try {
          await finishEvent(this.intake, event, { processed: false });
          finished += 1;
        } catch (err) {
          this.logger?.warn({ err: err instanceof Error ? err.message : String(err), eventId: event.eventId }, 'could not finish a stored event; the next sweep tries again');
        }
      }
      return finished;
    }
  }
}
