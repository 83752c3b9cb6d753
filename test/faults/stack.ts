import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { findTemporalCli, freePort, waitForPort } from '../../src/dev/temporal-server';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES } from '../../src/temporal/worker-interceptors';
import { createPool } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { loadBalancerArgs } from '../support/load-balancer';
import { exited, kill9, PrivatePostgres, PrivateRabbit, PrivateRedis, PrivateTemporal, spawnLogged, startReaper } from './services';

const ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'reckon-faults';
/** the RabbitMQ intake queue of the stack's consumer (src/main/consumer.ts) */
export const FAULT_QUEUE = 'reckon.events';

/**
 * The whole engine as separate processes on private services: Postgres, Redis, the Temporal dev
 * server (SQLite), the worker (worker-main.ts: src/workers/build.ts on a prebuilt bundle) and
 * the API (src/main/api.ts). Faults are methods: kill the worker, restart Temporal, stop
 * Postgres or Redis for a while.
 */
export class FaultStack {
  readonly dir: string;
  readonly postgres: PrivatePostgres;
  readonly redis: PrivateRedis;
  readonly temporal: PrivateTemporal;
  readonly rabbit: PrivateRabbit;
  apiUrl = '';
  /** processes that died on their own during the run (see supervise) */
  readonly unexpectedExits: string[] = [];
  private worker?: ChildProcess;
  private api?: ChildProcess;
  private consumer?: ChildProcess;
  private consumerStarts = 0;
  private workerStarts = 0;
  private apiStarts = 0;
  private readonly killed = new WeakSet<ChildProcess>();
  private stopping = false;
  /** after scaleOut: the second worker and API replica, and the load balancer in front of the APIs */
  private readonly replicas: ChildProcess[] = [];
  private lb?: ChildProcess;
  private apiLog = '';
  /** after scaleOut: the log of each API replica behind the load balancer, the first one first */
  replicaApiLogs: string[] = [];

  private constructor(dir: string, ports: number[]) {
    this.dir = dir;
    this.postgres = new PrivatePostgres(dir, ports[0]);
    this.redis = new PrivateRedis(dir, ports[1]);
    this.temporal = new PrivateTemporal(dir, ports[2], process.env.TEMPORAL_CLI || findTemporalCli(process.env.PATH ?? ''));
    this.apiPort = ports[3];
    this.rabbit = new PrivateRabbit(dir, ports[4], ports[5]);
  }
  private readonly apiPort: number;

  static async start(): Promise<FaultStack> {
    const dir = mkdtempSync(join(tmpdir(), 'reckon-faults-'));
    chmodSync(dir, 0o755); // the postgres OS user must reach its data directory inside
    const ports: number[] = [];
    while (ports.length < 6) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const keep = process.env.KEEP_FAULT_STACK === '1';
    startReaper(dir, keep);
    const stack = new FaultStack(dir, ports);
    try {
      await Promise.all([stack.postgres.init(), stack.redis.start(), stack.temporal.start(), stack.bundle(), stack.rabbit.start()]);
      const pool = createPool(stack.databaseUrl, 2);
      await migrate(pool);
      await pool.end();
      await Promise.all([stack.startWorker(), stack.startApi(), stack.startConsumer()]);
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
      RABBITMQ_URL: this.rabbit.url,
      RABBITMQ_QUEUE: FAULT_QUEUE,
      RABBITMQ_RECONNECT_MAX_MS: '1000',
      WORKER_METRICS_PORT: '0',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // sized for two shared cores: a workflow task waits in Temporal's queue rather than running
      // so starved that it passes its 10 s timeout and is retried (which only adds load)
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '20',
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
      preloadModules: WORKFLOW_PRELOAD_MODULES,
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
    this.supervise(child, 'worker', log, () => this.startWorker());
    await waitForLog(child, log, /"msg":"worker started"/, 120_000);
  }

  /** kill -9: the worker loses whatever it had in flight (activities, workflow tasks, its cache). */
  async killWorker(): Promise<void> {
    if (this.worker) this.killed.add(this.worker);
    await kill9(this.worker);
  }

  get workerRestarts(): number {
    return this.workerStarts - 1;
  }

  async startApi(): Promise<void> {
    this.apiStarts += 1;
    const log = join(this.dir, `api-${this.apiStarts}.log`);
    this.apiLog = log;
    const child = spawnLogged(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main', 'api.ts')], log, this.env({ PORT: String(this.apiPort), HOST: '127.0.0.1' }));
    this.api = child;
    // once scaled out, clients stay on the load balancer
    if (!this.lb) this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
    this.supervise(child, 'api', log, () => this.startApi());
    await waitForLog(child, log, /"msg":"api listening"/, 120_000);
  }

  /**
   * Scale-out as a deployment runs it: a second worker on the same task queue, a second API
   * replica, and nginx in front of both APIs with the compose stack's proxying (scripts/lb-conf.sh).
   * The clients' address becomes the load balancer's. Replicas are not restarted when they die.
   */
  async scaleOut(): Promise<void> {
    const [apiPort, lbPort] = [await freePort(), await freePort()];
    const workerLog = join(this.dir, 'worker-replica.log');
    const apiLog = join(this.dir, 'api-replica.log');
    this.replicaApiLogs = [this.apiLog, apiLog];
    const worker = spawnLogged(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-main.ts'), this.bundlePath], workerLog, this.env());
    const api = spawnLogged(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main', 'api.ts')], apiLog, this.env({ PORT: String(apiPort), HOST: '127.0.0.1', TRUST_PROXY: '1' }));
    this.replicas.push(worker, api);
    for (const [child, name, log] of [[worker, 'worker replica', workerLog], [api, 'api replica', apiLog]] as const) {
      this.supervise(child, name, log, async () => undefined);
    }
    await Promise.all([waitForLog(worker, workerLog, /"msg":"worker started"/, 120_000), waitForLog(api, apiLog, /"msg":"api listening"/, 120_000)]);
    const lbLog = join(this.dir, 'lb.log');
    this.lb = spawnLogged('nginx', loadBalancerArgs(lbPort, this.dir, [this.apiPort, apiPort]), lbLog);
    this.supervise(this.lb, 'load balancer', lbLog, async () => undefined);
    await waitForPort(lbPort, 20_000);
    this.apiUrl = `http://127.0.0.1:${lbPort}`;
  }

  /** kill -9 the first worker and the first API replica: the replicas started by scaleOut carry on alone. */
  async killFirstReplicas(): Promise<void> {
    for (const child of [this.worker, this.api]) if (child) this.killed.add(child);
    await Promise.all([kill9(this.worker), kill9(this.api)]);
  }

  /** The RabbitMQ intake consumer (src/main/consumer.ts); resolves once it consumes. */
  async startConsumer(): Promise<void> {
    this.consumerStarts += 1;
    const log = join(this.dir, `consumer-${this.consumerStarts}.log`);
    const child = spawnLogged(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main', 'consumer.ts')], log, this.env());
    this.consumer = child;
    this.supervise(child, 'consumer', log, () => this.startConsumer());
    await waitForLog(child, log, /"msg":"consuming"/, 120_000);
  }

  /**
   * A process that dies on its own is a finding (the faults must never crash the engine): it is
   * written down for the test to report, and restarted as a process manager would, so the rest
   * of the run still says what else happened.
   */
  private supervise(child: ChildProcess, name: string, log: string, restart: () => Promise<void>): void {
    child.once('exit', (code, signal) => {
      if (this.stopping || this.killed.has(child)) return;
      this.unexpectedExits.push(`${name} exited on its own (${code ?? signal}); see ${log}`);
      restart().catch((err: Error) => this.unexpectedExits.push(`${name} could not be restarted: ${err.message}`));
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const child of [this.lb, this.api, this.consumer, this.worker, ...this.replicas]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(t);
      }
    }
    await this.temporal.kill();
    await this.rabbit.stop();
    await this.redis.stop();
    await this.postgres.stop('immediate');
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
