import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { findTemporalCli, freePort } from '../../src/dev/temporal-server';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker-interceptors';
import { createPool } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { exited, kill9, PrivatePostgres, PrivateRedis, PrivateTemporal, spawnLogged } from './services';

const ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'reckon-faults';

/**
 * The whole engine as separate processes on private services: Postgres, Redis, the Temporal dev
 * server (SQLite), the worker (src/workers/main.ts) and the API (src/api/main.ts). Faults are
 * methods: kill the worker, restart Temporal, stop Postgres or Redis for a while.
 */
export class FaultStack {
  readonly dir: string;
  readonly postgres: PrivatePostgres;
  readonly redis: PrivateRedis;
  readonly temporal: PrivateTemporal;
  apiUrl = '';
  private worker?: ChildProcess;
  private api?: ChildProcess;
  private workerStarts = 0;

  private constructor(dir: string, ports: number[]) {
    this.dir = dir;
    this.postgres = new PrivatePostgres(dir, ports[0]);
    this.redis = new PrivateRedis(dir, ports[1]);
    this.temporal = new PrivateTemporal(dir, ports[2], process.env.TEMPORAL_CLI || findTemporalCli(process.env.PATH ?? ''));
    this.apiPort = ports[3];
  }
  private readonly apiPort: number;

  static async start(): Promise<FaultStack> {
    const dir = mkdtempSync(join(tmpdir(), 'reckon-faults-'));
    chmodSync(dir, 0o755); // the postgres OS user must reach its data directory inside
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const stack = new FaultStack(dir, ports);
    live.add(stack);
    try {
      await Promise.all([stack.postgres.init(), stack.redis.start(), stack.temporal.start(), stack.bundle()]);
      const pool = createPool(stack.databaseUrl, 2);
      await migrate(pool);
      await pool.end();
      await Promise.all([stack.startWorker(), stack.startApi()]);
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  get databaseUrl(): string {
    return this.postgres.url();
  }

  /** What the worker and the API read through src/config.ts: nothing points at the shared services. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redis.url,
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1',
      WORKER_METRICS_PORT: '0',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...extra,
    };
  }

  private get bundlePath(): string {
    return join(this.dir, 'workflow-bundle.js');
  }

  /** The workflow code every worker of the run loads, bundled once (see worker-main.ts). */
  private async bundle(): Promise<void> {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: new DefaultLogger('WARN'),
    });
    writeFileSync(this.bundlePath, code);
  }

  /** Starts a worker process and resolves once it polls (it logs "worker started"). */
  async startWorker(): Promise<void> {
    this.workerStarts += 1;
    const log = join(this.dir, `worker-${this.workerStarts}.log`);
    const child = spawnLogged(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-main.ts'), this.bundlePath], log, this.env());
    this.worker = child;
    await waitForLog(child, log, /"msg":"worker started"/, 120_000);
  }

  async killWorker(): Promise<void> {
    await kill9(this.worker);
  }

  get workerRestarts(): number {
    return this.workerStarts - 1;
  }

  async startApi(): Promise<void> {
    const log = join(this.dir, 'api.log');
    this.api = spawnLogged(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'api', 'main.ts')], log, this.env({ PORT: String(this.apiPort), HOST: '127.0.0.1' }));
    this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
    await waitForLog(this.api, log, /"msg":"api listening"/, 120_000);
  }

  async stop(): Promise<void> {
    for (const child of [this.api, this.worker]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(t);
      }
    }
    await this.temporal.kill();
    await this.redis.stop();
    await this.postgres.stop('immediate');
    live.delete(this);
    if (process.env.KEEP_FAULT_STACK !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForLog(child: ChildProcess, file: string, line: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (line.test(readFileSync(file, 'utf8'))) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process exited before ${line} (see ${file}):\n${readFileSync(file, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${line} in ${file} after ${timeoutMs} ms`);
}

// a crashed run must not leave a private Postgres behind
const live = new Set<FaultStack>();
process.once('exit', () => {
  for (const s of live) {
    const bin = join(process.env.RECKON_FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin', 'pg_ctl');
    const args = ['-D', s.postgres.data, '-m', 'immediate', 'stop'];
    if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args]);
    else spawnSync(bin, args);
  }
});
