import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { User } from './user-repo';

/** A signed-in browser session and its person. */
export interface WebSession {
  user: User;
  csrfToken: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Starts a session; the token goes in the cookie and is stored only as its hash. */
export async function createSession(pool: Pool, userId: string, ttlMs: number): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  await pool.query('INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)', [
    hashToken(token),
    userId,
    csrfToken,
    expiresAt,
  ]);
  // expired sessions of anyone go with each new one, so the table stays small without a sweeper
  await pool.query('DELETE FROM web_sessions WHERE expires_at < now()');
  return { token, csrfToken, expiresAt };
}

/** The live session for a cookie token: null when unknown, expired, or its user is disabled. */
export async function findSession(pool: Pool, token: string): Promise<WebSession | null> {
  if (token.length < 16 || token.length > 128) return null;
  const { rows } = await pool.query(
    `SELECT s.csrf_token, s.expires_at, u.id, u.name, u.roles, u.sites
     FROM web_sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [hashToken(token)],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { user: { id: r.id, name: r.name, roles: r.roles, sites: r.sites }, csrfToken: r.csrf_token, expiresAt: r.expires_at };
}

export async function deleteSession(pool: Pool, token: string): Promise<void> {
  await pool.query('DELETE FROM web_sessions WHERE token_hash = $1', [hashToken(token)]);
}
