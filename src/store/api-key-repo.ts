import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/** What a key grants; `sites: ['*']` means every site. */
export interface ApiKeyGrant {
  id: string;
  userId: string;
  roles: string[];
  sites: string[];
}

export interface ApiKeyInfo extends ApiKeyGrant {
  createdAt: string;
  revokedAt?: string;
}

/** Keys are stored only as their sha256; the plain key is shown once, when created. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function createApiKey(
  pool: Pool,
  grant: { userId: string; roles: string[]; sites: string[] },
): Promise<{ id: string; key: string }> {
  const key = `rk_${randomBytes(32).toString('base64url')}`;
  const id = `key_${randomBytes(8).toString('hex')}`;
  await pool.query('INSERT INTO api_keys (id, key_hash, user_id, roles, sites) VALUES ($1, $2, $3, $4, $5)', [
    id,
    hashApiKey(key),
    grant.userId,
    grant.roles,
    grant.sites,
  ]);
  return { id, key };
}

export async function findActiveKey(pool: Pool, key: string): Promise<ApiKeyGrant | null> {
  const { rows } = await pool.query(
    'SELECT id, user_id, roles, sites FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [hashApiKey(key)],
  );
  return rows.length ? { id: rows[0].id, userId: rows[0].user_id, roles: rows[0].roles, sites: rows[0].sites } : null;
}

export async function listApiKeys(pool: Pool): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query('SELECT id, user_id, roles, sites, created_at, revoked_at FROM api_keys ORDER BY created_at, id');
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    roles: r.roles,
    sites: r.sites,
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : undefined,
  }));
}

/** Revokes a key; false when no active key has this id. */
export async function revokeApiKey(pool: Pool, id: string): Promise<boolean> {
  const res = await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (res.rowCount ?? 0) > 0;
}
