import type { Pool } from 'pg';

/** A person who signs in to the inbox: the same roles and sites an API key carries. */
export interface User {
  id: string;
  name: string;
  roles: string[];
  sites: string[];
}

export interface UserRecord extends User {
  passwordHash: string;
  failedSignins: number;
  lockedUntil: Date | null;
  disabled: boolean;
}

interface DbUser {
  id: string;
  name: string;
  roles: string[];
  sites: string[];
  password_hash: string;
  failed_signins: number;
  locked_until: Date | null;
  disabled_at: Date | null;
}

const toRecord = (r: DbUser): UserRecord => ({
  id: r.id,
  name: r.name,
  roles: r.roles,
  sites: r.sites,
  passwordHash: r.password_hash,
  failedSignins: r.failed_signins,
  lockedUntil: r.locked_until,
  disabled: r.disabled_at !== null,
});

/** Creates a user, or replaces name, roles, sites and password of an existing one (and enables it). */
export async function upsertUser(pool: Pool, u: User & { passwordHash: string }): Promise<'created' | 'updated'> {
  const { rows } = await pool.query<{ created: boolean }>(
    `INSERT INTO users (id, name, roles, sites, password_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, sites = EXCLUDED.sites,
       password_hash = EXCLUDED.password_hash, failed_signins = 0, locked_until = NULL, disabled_at = NULL, updated_at = now()
     RETURNING (xmax = 0) AS created`,
    [u.id, u.name, u.roles, u.sites, u.passwordHash],
  );
  return rows[0].created ? 'created' : 'updated';
}

/** Creates a user unless one with the id exists (whatever its state): false when it existed. */
export async function insertUserIfMissing(pool: Pool, u: User & { passwordHash: string }): Promise<boolean> {
  const { rowCount } = await pool.query(
    'INSERT INTO users (id, name, roles, sites, password_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
    [u.id, u.name, u.roles, u.sites, u.passwordHash],
  );
  return rowCount === 1;
}

export async function findUser(pool: Pool, id: string): Promise<UserRecord | null> {
  const { rows } = await pool.query<DbUser>('SELECT * FROM users WHERE id = $1', [id]);
  return rows.length ? toRecord(rows[0]) : null;
}

export async function listUsers(pool: Pool): Promise<(User & { disabled: boolean; lockedUntil: string | null })[]> {
  const { rows } = await pool.query<DbUser>('SELECT * FROM users ORDER BY id');
  return rows.map((r) => {
    const { id, name, roles, sites, disabled, lockedUntil } = toRecord(r);
    return { id, name, roles, sites, disabled, lockedUntil: lockedUntil ? lockedUntil.toISOString() : null };
  });
}

/** Disables a user and ends their sessions; false when there is no such user. */
export async function disableUser(pool: Pool, id: string): Promise<boolean> {
  const res = await pool.query('UPDATE users SET disabled_at = now(), updated_at = now() WHERE id = $1', [id]);
  await pool.query('DELETE FROM web_sessions WHERE user_id = $1', [id]);
  return (res.rowCount ?? 0) > 0;
}

/**
 * Counts a failed sign-in and locks the account once `freeTries` have failed in a row: 30 s,
 * doubling with each further failure, at most `maxLockSeconds`. Returns the lock's end, if any.
 */
export async function recordFailedSignin(pool: Pool, id: string, freeTries: number, maxLockSeconds: number): Promise<Date | null> {
  const { rows } = await pool.query<{ locked_until: Date | null }>(
    `UPDATE users SET failed_signins = failed_signins + 1,
       locked_until = CASE WHEN failed_signins + 1 >= $2
         THEN now() + make_interval(secs => LEAST($3::float8, 30 * power(2, failed_signins + 1 - $2)))
         ELSE locked_until END
     WHERE id = $1 RETURNING locked_until`,
    [id, freeTries, maxLockSeconds],
  );
  return rows[0]?.locked_until ?? null;
}

export async function recordSuccessfulSignin(pool: Pool, id: string): Promise<void> {
  await pool.query('UPDATE users SET failed_signins = 0, locked_until = NULL WHERE id = $1', [id]);
}
