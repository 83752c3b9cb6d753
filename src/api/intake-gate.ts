import { TooManyRequests, toApiError } from './errors';

export interface IntakeGateOptions {
  /** reports taken in at most at once */
  concurrency: number;
  /** reports that may wait for a turn; more are refused at once */
  queue: number;
  /** how long a report waits for a turn before it is refused */
  waitMs: number;
}

/**
 * Back-pressure for bursts: at most `limit` reports reach Temporal and Postgres at once, a
 * bounded line waits its turn, and the rest are answered 429 with Retry-After before anything is
 * started. A refused report left no trace, so the client's retry is the same report, never a
 * second case. Requests queue here, where they can be refused cheaply, rather than inside
 * Temporal until their deadline turns them into 503s; a deadline that passes all the same while
 * the intake is crowded is overload too, and answered 429. (A limit that adapted to latency was
 * tried: on a shared machine, latency from other load shrank it until steady senders were refused.)
 */
export class IntakeGate {
  private active = 0;
  private readonly line: { go: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly o: IntakeGateOptions) {}

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.line.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.o.concurrency) await this.turn();
    else this.active += 1;
    try {
      return await work();
    } catch (err) {
      throw this.overloaded(err, this.active >= this.o.concurrency) ?? err;
    } finally {
      this.release();
    }
  }

  /**
   * Temporal or Postgres not answering in time while the intake is full (a deadline, a wait for a
   * pooled connection) is overload: the client should come back later, as on any 429 (a retry
   * naming the same source events merges as a redelivery). Outside a burst it stays a 503.
   */
  private overloaded(err: unknown, crowded: boolean): TooManyRequests | null {
    if (!crowded || toApiError(err)?.status !== 503) return null;
    return this.busy('the report intake is saturated');
  }

  /** Waits for a slot; `release` hands its slot over, so `active` is not touched here. */
  private turn(): Promise<void> {
    if (this.line.length >= this.o.queue || this.o.waitMs === 0) return Promise.reject(this.busy('the report intake is at capacity'));
    return new Promise<void>((resolve, reject) => {
      const entry = {
        go: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.line.indexOf(entry);
          if (i >= 0) this.line.splice(i, 1);
          reject(this.busy('the report intake is at capacity'));
        }, this.o.waitMs),
      };
      this.line.push(entry);
    });
  }

  private release(): void {
    const next = this.line.shift();
    if (next) next.go();
    else this.active -= 1;
  }

  private busy(why: string): TooManyRequests {
    const seconds = Math.max(1, Math.ceil(this.o.waitMs / 1000));
    return new TooManyRequests(`${why} (${this.o.concurrency} at once, ${this.o.queue} waiting); retry in ${seconds} s`, seconds);
  }
}
