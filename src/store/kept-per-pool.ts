import type { Pool } from 'pg';

/**
 * A figure taken from the database and kept per pool (per API process: nothing shared to keep
 * consistent across replicas): taken at the first call, then taken again in the background
 * once older than `maxAgeMs`, the kept one answering meanwhile. A failed first take rejects,
 * or answers `fallback` when there is one (kept for nobody: the next call tries again).
 */
export function keptPerPool<T extends { at: number }>(take: (pool: Pool) => Promise<T>, fallback?: T): (pool: Pool, maxAgeMs: number) => Promise<T> {
  const held = new WeakMap<Pool, { current?: T; taking?: Promise<T> }>();
  return async (pool, maxAgeMs) => {
    let state = held.get(pool);
    if (!state) held.set(pool, (state = {}));
    const s = state;
    const takeAgain = () => {
      s.taking ??= take(pool)
        .then((v) => (s.current = v))
        .catch((err: unknown) => {
          if (fallback === undefined) throw err;
          return fallback;
        })
        .finally(() => (s.taking = undefined));
      return s.taking;
    };
    if (!s.current) return takeAgain();
    if (Date.now() - s.current.at > maxAgeMs) takeAgain().catch(() => undefined);
    return s.current;
  };
}
