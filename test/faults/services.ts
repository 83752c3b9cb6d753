import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { devServerArgs, waitForPort } from '../../src/dev/temporal-server';

/**
 * The fault suite's own Postgres, Redis and Temporal dev server: private processes on free
 * ports with their files in one temporary directory, so stopping them never touches the
 * machine's shared services (other engineers' tests run on those at the same time).
 */

const run = promisify(execFile);
const PG_BIN = process.env.RECKON_FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A child process whose output goes to a log file in the stack's directory. */
export function spawnLogged(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const dir = dirname(logFile);
  children.add({ child, dir });
  writePids(dir);
  child.once('exit', () => {
    for (const c of children) if (c.child === child) children.delete(c);
    writePids(dir);
  });
  return child;
}

const children = new Set<{ child: ChildProcess; dir: string }>();

/** The live children of a stack, for the reaper (see startReaper). */
function writePids(dir: string): void {
  const pids = [...children].filter((c) => c.dir === dir && c.child.pid).map((c) => c.child.pid);
  try {
    writeFileSync(join(dir, 'pids'), pids.join('\n') + '\n');
  } catch {
    // the stack's directory is gone: it was stopped
  }
}

/**
 * Whatever ends the test process (a failure, Ctrl-C, a CI timeout, SIGKILL), its services must
 * not outlive it: a detached shell waits for it to go, then kills the children still listed in
 * `dir/pids`, stops the private Postgres and removes the directory. (Exit handlers cannot do
 * this: a signal skips them, and jest's sandboxed `process` does not deliver them reliably.)
 */
export function startReaper(dir: string, keep: boolean): void {
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    '[ -f "$2/pids" ] && xargs -r kill -9 < "$2/pids" 2>/dev/null',
    '[ -d "$2/pg" ] && { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$3/pg_ctl" -D "$2/pg" -m immediate stop; else "$3/pg_ctl" -D "$2/pg" -m immediate stop; fi; } >/dev/null 2>&1',
    '[ -f "$2/rabbit-node" ] && { if [ "$(id -u)" = 0 ]; then runuser -u rabbitmq -- rabbitmqctl -n "$(cat "$2/rabbit-node")" stop; else rabbitmqctl -n "$(cat "$2/rabbit-node")" stop; fi; } >/dev/null 2>&1',
    '[ "$4" = 1 ] || rm -rf "$2"',
  ].join('\n');
  spawn('bash', ['-c', script, 'reaper', String(process.pid), dir, PG_BIN, keep ? '1' : '0'], { detached: true, stdio: 'ignore' }).unref();
}

export async function kill9(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exited(child);
}

/** Postgres in `dir/pg`, run by the `postgres` OS user when the suite runs as root (initdb refuses root). */
export class PrivatePostgres {
  readonly data: string;
  /** owned by the postgres user: the socket and the server log */
  readonly runDir: string;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'pg');
    this.runDir = join(dir, 'pgrun');
  }

  private async asOwner(bin: string, args: string[]): Promise<void> {
    const path = join(PG_BIN, bin);
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', path, ...args]);
    else await run(path, args);
  }

  async init(): Promise<void> {
    for (const d of [this.data, this.runDir]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      if (process.getuid?.() === 0) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        const { stdout: gid } = await run('id', ['-g', 'postgres']);
        chownSync(d, Number(stdout.trim()), Number(gid.trim()));
      }
    }
    await this.asOwner('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await this.start();
    const admin = new Client({ connectionString: this.url('postgres', 'postgres') });
    await admin.connect();
    await admin.query(`CREATE ROLE reckon LOGIN PASSWORD 'reckon'`);
    await admin.query('CREATE DATABASE reckon OWNER reckon');
    await admin.end();
  }

  url(user = 'reckon', db = 'reckon'): string {
    return `postgres://${user}:${user === 'reckon' ? 'reckon' : ''}@127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    // no fsync: the faults here stop processes, not the machine, so the OS keeps every committed page
    const opts = `-p ${this.port} -k ${this.runDir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await this.asOwner('pg_ctl', ['-D', this.data, '-l', join(this.runDir, 'postgres.log'), '-o', opts, '-w', '-t', '60', 'start']);
  }

  /** `-m fast`: clients are disconnected, in-flight transactions roll back. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.asOwner('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']).catch(() => undefined);
  }
}

/** redis-server with no persistence, as a child process. */
export class PrivateRedis {
  private child?: ChildProcess;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    this.child = spawnLogged(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir],
      join(this.dir, 'redis.log'),
    );
    await waitForPort(this.port, 20_000);
  }

  async stop(): Promise<void> {
    await kill9(this.child);
  }
}

/** The Temporal dev server on a fixed port with its history in a SQLite file, so a restart keeps every workflow. */
export class PrivateTemporal {
  private child?: ChildProcess;
  constructor(
    readonly dir: string,
    readonly port: number,
    readonly cli: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // WAL without fsync, for the same reason as Postgres: a killed process loses nothing it committed
    const pragmas = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'];
    const args = [...devServerArgs({ port: this.port, dbFile: join(this.dir, 'temporal.db') }), ...pragmas];
    this.child = spawnLogged(this.cli, args, join(this.dir, 'temporal.log'));
    await waitForPort(this.port, 60_000);
  }

  /** kill -9: the server gets no chance to flush anything it has not committed. */
  async kill(): Promise<void> {
    await kill9(this.child);
  }
}

/**
 * A RabbitMQ node of its own (its own node name, ports and mnesia directory), run by the
 * `rabbitmq` OS user, so a broker restart here touches no one else's queues. Restarted as an
 * operator does: `rabbitmqctl stop_app` / `start_app` (connections cut, durable queues kept).
 */
export class PrivateRabbit {
  readonly node: string;
  private readonly base: string;
  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly distPort: number,
  ) {
    this.node = `reckonfaults${process.pid}@localhost`;
    this.base = join(dir, 'rabbit');
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  /** as the `rabbitmq` OS user when the suite runs as root (the node's files and Erlang cookie are its) */
  private asBroker(cmd: string, args: string[]): [string, string[]] {
    return process.getuid?.() === 0 ? ['runuser', ['-u', 'rabbitmq', '--', cmd, ...args]] : [cmd, args];
  }

  private async ctl(...args: string[]): Promise<void> {
    const [cmd, argv] = this.asBroker('rabbitmqctl', ['-n', this.node, ...args]);
    await run(cmd, argv, { timeout: 120_000 });
  }

  async start(): Promise<void> {
    mkdirSync(this.base, { recursive: true });
    if (process.getuid?.() === 0) {
      const { stdout: uid } = await run('id', ['-u', 'rabbitmq']);
      const { stdout: gid } = await run('id', ['-g', 'rabbitmq']);
      chownSync(this.base, Number(uid.trim()), Number(gid.trim()));
    }
    writeFileSync(join(this.dir, 'rabbit-node'), this.node);
    const env = [
      `RABBITMQ_NODENAME=${this.node}`, `RABBITMQ_NODE_PORT=${this.port}`, `RABBITMQ_DIST_PORT=${this.distPort}`,
      `RABBITMQ_MNESIA_BASE=${this.base}/mnesia`, `RABBITMQ_LOG_BASE=${this.base}/log`, `RABBITMQ_PID_FILE=${this.base}/pid`,
      `RABBITMQ_ENABLED_PLUGINS_FILE=${this.base}/plugins`, `RABBITMQ_CONFIG_FILE=${this.base}/none`,
    ];
    const [cmd, argv] = this.asBroker('env', [...env, '/usr/lib/rabbitmq/bin/rabbitmq-server']);
    spawnLogged(cmd, argv, join(this.dir, 'rabbit.log'));
    await waitForPort(this.port, 180_000);
  }

  async stopApp(): Promise<void> {
    await this.ctl('stop_app');
  }

  async startApp(): Promise<void> {
    await this.ctl('start_app');
    await waitForPort(this.port, 120_000);
  }

  async stop(): Promise<void> {
    await this.ctl('stop').catch(() => undefined);
  }
}
