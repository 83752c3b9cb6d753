import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { createPool, lockForTransaction, withTransaction } from '../../src/store/db';
import { stockLockKey } from '../../src/store/model-corrections';
import { uniq } from '../support/engine';

// withTransaction takes a transaction's advisory locks with its BEGIN, in one round trip: they
// must be the very locks lockForTransaction takes (the intake's per-stock lock and an automatic
// correction serialise on the same one), and a name is sent as data, whatever it holds.
let pool: Pool;
beforeAll(() => {
  pool = createPool(loadConfig().DATABASE_URL, 4);
});
afterAll(async () => pool.end());

/** A transaction that holds its locks until `release` is called. */
function holding(locks: string[]) {
  let release!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const inside = new Promise<void>((r) => (entered = r));
  const done = withTransaction(pool, async () => {
    entered();
    await gate;
  }, locks);
  return { inside, release, done };
}

it('a lock taken with BEGIN holds back a transaction that takes the same one with lockForTransaction until it commits', async () => {
  // a sku with a quote and a backslash in it: the name still goes through as one literal
  const name = stockLockKey(uniq('site'), `o'brien\\${uniq('sku')}`);
  const first = holding([name]);
  await first.inside;
  const order: string[] = [];
  const second = withTransaction(pool, async (c) => {
    await lockForTransaction(c, name);
    order.push('second locked');
  });
  await new Promise((r) => setTimeout(r, 300));
  order.push('first released');
  first.release();
  await Promise.all([first.done, second]);
  expect(order).toEqual(['first released', 'second locked']);
});

it('every lock named is held for the whole transaction, and none after it', async () => {
  const names = [stockLockKey(uniq('site'), uniq('sku')), uniq('case')];
  const held = holding(names);
  await held.inside;
  const heldNow = async () => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objid::bigint IN (SELECT (hashtext(n)::bigint & 4294967295) FROM unnest($1::text[]) AS t(n))`,
      [names],
    );
    return rows[0].n;
  };
  expect(await heldNow()).toBe(2);
  held.release();
  await held.done;
  expect(await heldNow()).toBe(0);
});

it('a transaction that fails releases its locks with the rollback', async () => {
  const name = uniq('case');
  await expect(withTransaction(pool, async () => { throw new Error('refused'); }, [name])).rejects.toThrow('refused');
  // the same lock is free at once
  await withTransaction(pool, async (c) => lockForTransaction(c, name));
});
