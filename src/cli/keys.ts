import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { loadConfig } from '../config';
import { Role } from '../domain';
import { createApiKey, describeActiveKey, listApiKeys, revokeApiKey, UnknownRoleError } from '../store/api-key-repo';
import { createPool } from '../store/db';
import { migrateAsOwner } from '../store/migrate';
import { BadArgs, parseFlags, readStdinLine, runCli } from './run';

const USAGE = `usage:
  npm run --silent keys -- create --user ID --roles ROLE[,ROLE...] --sites SITE[,SITE...]|'*' [--expires-in 90d|12h]
      prints only the new key on stdout (it is stored hashed and cannot be shown again); roles
      must be known to the active policy (its approver roles, admin, viewer, integration)
  npm run --silent keys -- list              one JSON line per key (never the key itself), with expiry and last use
  npm run --silent keys -- check <FILE       whether the key on standard input's first line is active
      here: exit 0 if so, 3 if it is unknown, revoked or expired (say, kept in a file while the database was reset)
  npm run --silent keys -- revoke --id KEY_ID
  npm run --silent keys -- actor-keypair     a new Ed25519 pair as two env lines: ACTOR_SIGNING_KEY
      for the API only, ACTOR_VERIFY_KEY for the worker (docs/security.md)`;

/** Exit codes: 0 done, 1 failed, 2 bad arguments, 3 (check) the key is not active. */

const list = (s: string) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
const Site = z.union([z.literal('*'), z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:#]{0,31}$/, 'not a site code')]);
const Grant = z.object({
  userId: z.string().min(1).max(64).regex(/^\S+$/, 'no whitespace'),
  roles: z.array(Role).min(1),
  sites: z.array(Site).min(1),
});

async function withPool<T>(fn: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await migrateAsOwner(config);
  const pool = createPool(config.DATABASE_URL, 2);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function create(args: string[]): Promise<void> {
  const v = parseFlags(args, { user: { type: 'string' }, roles: { type: 'string' }, sites: { type: 'string' }, 'expires-in': { type: 'string' } });
  const lifetime = v['expires-in'] === undefined ? undefined : /^([1-9][0-9]{0,4})([dh])$/.exec(v['expires-in']);
  if (lifetime === null) throw new BadArgs('--expires-in: a number of days or hours, e.g. 90d or 12h');
  const expiresAt = lifetime ? new Date(Date.now() + Number(lifetime[1]) * (lifetime[2] === 'd' ? 86_400_000 : 3_600_000)) : undefined;
  const grant = Grant.safeParse({ userId: v.user, roles: list(v.roles ?? ''), sites: list(v.sites ?? '') });
  if (!grant.success) {
    const names: Record<string, string> = { userId: '--user', roles: '--roles', sites: '--sites' };
    throw new BadArgs(grant.error.issues.map((i) => `${names[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const { key } = await withPool((pool) =>
    createApiKey(pool, { ...grant.data, expiresAt }).catch((err: unknown) => {
      throw err instanceof UnknownRoleError ? new BadArgs(`--roles: ${err.message}`) : err;
    }),
  );
  process.stdout.write(`${key}\n`);
}

async function show(args: string[]): Promise<void> {
  parseFlags(args, {});
  const keys = await withPool((pool) => listApiKeys(pool));
  for (const k of keys) process.stdout.write(`${JSON.stringify(k)}\n`);
}

async function revoke(args: string[]): Promise<void> {
  const v = parseFlags(args, { id: { type: 'string' } });
  if (!v.id) throw new BadArgs('--id is required');
  const id = v.id;
  const revoked = await withPool((pool) => revokeApiKey(pool, id));
  if (!revoked) throw new BadArgs(`no active key with id ${id}`);
  process.stderr.write(`revoked ${id}\n`);
}

async function check(args: string[]): Promise<void> {
  parseFlags(args, {});
  const key = (await readStdinLine('key')).trim();
  if (!key) throw new BadArgs('no key on standard input');
  const found = await withPool((pool) => describeActiveKey(pool, key));
  if (!found) throw Object.assign(new Error('not an active key in this database: unknown, revoked or expired'), { exitCode: 3 });
  process.stderr.write(`active: ${found.id} of ${found.userId}\n`);
}

function actorKeypair(args: string[]): Promise<void> {
  parseFlags(args, {});
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  process.stdout.write(`ACTOR_SIGNING_KEY=${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}\n`);
  process.stdout.write(`ACTOR_VERIFY_KEY=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}\n`);
  return Promise.resolve();
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create':
      return create(rest);
    case 'list':
      return show(rest);
    case 'revoke':
      return revoke(rest);
    case 'check':
      return check(rest);
    case 'actor-keypair':
      return actorKeypair(rest);
    default:
      throw new BadArgs(command ? `unknown command ${command}` : 'a command is required');
  }
}

runCli(main, USAGE);
