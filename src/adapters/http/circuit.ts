export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitOptions {
  /** consecutive failures that open the circuit */
  failures: number;
  /** how long an open circuit refuses calls before it lets one trial call through */
  resetMs: number;
  now?: () => number;
  onChange?: (from: CircuitState, to: CircuitState) => void;
}

/**
 * One breaker per remote: closed → open after `failures` consecutive failures → half-open
 * once `resetMs` have passed, where a single trial call decides: success closes, failure
 * opens again for another `resetMs`. While open (or while the trial is out) calls are refused
 * without touching the network.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private trialOut = false;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** May a call go out now? A `true` in half-open is the trial: report its outcome. */
  tryAcquire(): boolean {
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.opts.resetMs) return false;
      this.move('half_open');
    }
    if (this.current === 'half_open') {
      if (this.trialOut) return false;
      this.trialOut = true;
    }
    return true;
  }

  /** Milliseconds until an open circuit lets a trial through (0 when it would now). */
  retryInMs(): number {
    if (this.current !== 'open') return 0;
    return Math.max(0, this.opts.resetMs - (this.now() - this.openedAt));
  }

  /** The remote answered as a healthy remote does (2xx, or a business refusal). */
  success(): void {
    this.trialOut = false;
    this.consecutive = 0;
    if (this.current !== 'closed') this.move('closed');
  }

  /** The remote did not answer, timed out, or answered 5xx. */
  failure(): void {
    this.trialOut = false;
    this.consecutive += 1;
    if (this.current === 'half_open' || (this.current === 'closed' && this.consecutive >= this.opts.failures)) {
      this.openedAt = this.now();
      this.move('open');
    }
  }

  /** The call ended with no verdict on the remote's health (e.g. a key still in use). */
  release(): void {
    this.trialOut = false;
  }

  private move(to: CircuitState): void {
    const from = this.current;
    this.current = to;
    if (from !== to) this.opts.onChange?.(from, to);
  }
}
