import { z } from 'zod';
import { loadConfig } from '../config';
import { Role } from '../domain';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { disableUser, insertUserIfMissing, listUsers, upsertUser } from '../store/user-repo';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../web/passwords';
import { BadArgs, parseFlags, readStdinLine, runCli } from './run';

const USAGE = `usage:
  npm run --silent users -- create --user ID --roles ROLE[,ROLE...] --sites SITE[,SITE...]|'*' [--name NAME] [--password PW] [--if-missing]
      creates the person who signs in to the inbox (or replaces their roles, sites and password;
      with --if-missing a user who exists is left as they are); without --password the password
      is read from the first line of standard input
  npm run --silent users -- list               one JSON line per user (never the password)
  npm run --silent users -- disable --user ID  blocks sign-in and ends the user's sessions`;

/** Exit codes: 0 done, 1 failed, 2 bad arguments. */

const list = (s: string) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
const Site = z.union([z.literal('*'), z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:#]{0,31}$/, 'not a site code')]);
const NewUser = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and . _ @ - only'),
  name: z.string().trim().min(1).max(120),
  roles: z.array(Role).min(1),
  sites: z.array(Site).min(1),
  password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024),
});
const FLAG: Record<string, string> = { id: '--user', name: '--name', roles: '--roles', sites: '--sites', password: '--password' };

async function withPool<T>(fn: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const pool = createPool(loadConfig().DATABASE_URL, 2);
  try {
    await migrate(pool);
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function create(args: string[]): Promise<void> {
  const v = parseFlags(args, {
    user: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'string' },
    sites: { type: 'string' },
    password: { type: 'string' },
    'if-missing': { type: 'boolean' },
  });
  const password = v.password ?? (await readStdinLine('password'));
  const parsed = NewUser.safeParse({ id: v.user, name: v.name ?? v.user, roles: list(v.roles ?? ''), sites: list(v.sites ?? ''), password });
  if (!parsed.success) {
    throw new BadArgs(parsed.error.issues.map((i) => `${FLAG[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const { password: pw, ...user } = parsed.data;
  const passwordHash = await hashPassword(pw);
  if (v['if-missing']) {
    // a kept password (scripts/dev.sh's data/demo-user.txt) for a database that was reset
    const created = await withPool((pool) => insertUserIfMissing(pool, { ...user, passwordHash }));
    process.stderr.write(created ? `created user ${user.id} (${user.roles.join(', ')} at ${user.sites.join(', ')})\n` : `kept user ${user.id}: they exist\n`);
    return;
  }
  const outcome = await withPool((pool) => upsertUser(pool, { ...user, passwordHash }));
  process.stderr.write(`${outcome} user ${user.id} (${user.roles.join(', ')} at ${user.sites.join(', ')})\n`);
}

async function show(args: string[]): Promise<void> {
  parseFlags(args, {});
  for (const u of await withPool((pool) => listUsers(pool))) process.stdout.write(`${JSON.stringify(u)}\n`);
}

async function disable(args: string[]): Promise<void> {
  const v = parseFlags(args, { user: { type: 'string' } });
  if (!v.user) throw new BadArgs('--user is required');
  const id = v.user;
  if (!(await withPool((pool) => disableUser(pool, id)))) throw new BadArgs(`no user ${id}`);
  process.stderr.write(`disabled ${id}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create':
      return create(rest);
    case 'list':
      return show(rest);
    case 'disable':
      return disable(rest);
    default:
      throw new BadArgs(command ? `unknown command ${command}` : 'a command is required');
  }
}

runCli(main, USAGE);
