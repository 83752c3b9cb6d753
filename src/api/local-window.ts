/**
 * A fixed one-minute window counter in this process: the fallback when Redis (which shares one
 * budget across replicas) cannot be reached, so limits hold per replica instead of failing open.
 */
export class LocalWindow {
  private readonly counts = new Map<string, { n: number; until: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit; returns the count in the current window and ms until it resets. */
  hit(key: string, now = Date.now()): [number, number] {
    let w = this.counts.get(key);
    if (!w || w.until <= now) {
      if (this.counts.size >= this.maxKeys) this.sweep(now);
      w = { n: 0, until: now + this.windowMs };
      this.counts.set(key, w);
    }
    w.n += 1;
    return [w.n, w.until - now];
  }

  /** The count in the current window without counting. */
  peek(key: string, now = Date.now()): number {
    const w = this.counts.get(key);
    return w && w.until > now ? w.n : 0;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.counts) if (w.until <= now) this.counts.delete(k);
    if (this.counts.size >= this.maxKeys) this.counts.clear();
  }
}
