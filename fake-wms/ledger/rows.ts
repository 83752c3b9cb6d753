import type { StockKey } from '../../src/adapters/ports';

/** pg returns numeric as strings: every quantity read from the ledger goes through here. */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isoOrUndefined(value: Date | string | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : iso(value);
}

export function orUndefined<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

/** Evidence lists are bounded: a case needs the recent picture, not the whole history. */
export const EVIDENCE_LIMIT = 200;

/** Parameters for the shared `site = $1 AND sku = $2 AND ($3 IS NULL OR location = $3)` filter. */
export function stockParams(key: StockKey): [string, string, string | null] {
  return [key.site, key.sku, key.location ?? null];
}

/** Balances keep site-level (unbinned) stock under location ''. */
export function balanceLocation(key: StockKey): string {
  return key.location ?? '';
}
