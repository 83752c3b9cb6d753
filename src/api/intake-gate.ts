import { TooManyRequests, toApiError } from './errors';

export interface IntakeGateOptions {
  /** reports taken in at most at once */
  concurrency: number;
  /** reports that may wait for a turn; more are refused at once */
  queue: number;
  /** how long a report waits for a turn before it is refused */
  waitMs: number;
  /** a report taken in slower than this means the server behind is saturated: fewer at once */
  slowMs?: number;
}

const MIN_CONCURRENCY = 2;

/**
 * Back-pressure for bursts: at most `limit` reports reach Temporal and Postgres at once, a
 * bounded line waits its turn, and the rest are answered 429 with Retry-After before anything is
 * started. A refused report left no trace, so the client's retry is the same report, never a
 * second case. The limit adapts (AIMD): a slow intake (Temporal or Postgres saturated) cuts it,
 * each fast one raises it back towards `concurrency`, so requests queue here, where they can be
 * refused cheaply, rather than inside Temporal until their deadline turns them into 503s.
 */
export class IntakeGate {
  private active = 0;
  private limit: number;
  private readonly line: { go: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly o: IntakeGateOptions) {
    this.limit = o.concurrency;
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.line.length;
  }

  get currentLimit(): number {
    return Math.floor(this.limit);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.currentLimit || this.line.length > 0) await this.turn();
    else this.active += 1;
    const started = Date.now();
    // the intake was at its limit when this report came: a timeout now is overload, not an outage
    const crowded = () => this.line.length > 0 || this.active >= this.currentLimit;
    try {
      const out = await work();
      this.observe(Date.now() - started);
      return out;
    } catch (err) {
      this.observe(Date.now() - started);
      throw this.overloaded(err, crowded()) ?? err;
    } finally {
      this.release();
    }
  }

  private observe(ms: number): void {
    if (ms > (this.o.slowMs ?? 2000)) this.limit = Math.max(MIN_CONCURRENCY, this.limit * 0.7);
    else this.limit = Math.min(this.o.concurrency, this.limit + 1 / this.limit);
  }

  /** A deadline that passed while the intake was crowded: the client should come back later (its retry merges, never doubles). */
  private overloaded(err: unknown, crowded: boolean): TooManyRequests | null {
    if (!crowded) return null;
    const mapped = toApiError(err);
    if (mapped?.status !== 503 || !/deadline|in time/i.test(mapped.message)) return null;
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
    // a lowered limit lets the slot go instead of handing it on
    const next = this.active <= this.currentLimit ? this.line.shift() : undefined;
    if (next) next.go();
    else this.active -= 1;
  }

  private busy(why: string): TooManyRequests {
    const seconds = Math.max(1, Math.ceil(this.o.waitMs / 1000));
    return new TooManyRequests(`${why} (${this.currentLimit} at once, ${this.o.queue} waiting); retry in ${seconds} s`, seconds);
  }
}
