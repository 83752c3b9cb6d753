/**
 * Inbox searches this API process found too broad to resolve to ids (more matches in the
 * person's scope than INBOX_SEARCH_COUNT_LIMIT), remembered for a while. The live queue asks for
 * the same search again on every change and every page, and finding it broad again reads every
 * match from the trigram index (30–60 ms at 1M open and closed cases). A search that has since
 * become narrow shows its page uncounted until its memo lapses.
 */
export class BroadSearchMemo {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  isBroad(key: string, now = Date.now()): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.until.delete(key);
    return false;
  }

  remember(key: string, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.until.delete(key);
    // oldest first out: a Map iterates in insertion order
    if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value as string);
    this.until.set(key, now + this.ttlMs);
  }
}

/** One search in one scope: who may see what (sites, roles), the text, and open or closed cases. */
export function broadSearchKey(scope: { visibleSites?: readonly string[]; ownerRoles?: readonly string[] }, text: string, closed: boolean): string {
  return JSON.stringify([scope.visibleSites ?? null, scope.ownerRoles ?? null, text, closed]);
}
