import type { Client } from 'pg';

/**
 * DROP DATABASE … WITH (FORCE), again while Postgres refuses for want of rights (42501): an
 * autovacuum worker in the database counts as another role's session that the owner may not end,
 * and it leaves within moments. Our own sessions are ended by FORCE as the owner.
 */
export async function dropDatabase(admin: Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42501' || attempt >= 40) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
