import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../src/config';
import { DEAD_LETTER_HEADERS } from '../../src/ingest/dead-letters';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { npmRun } from '../support/npm-cli';
import { stopWorker } from '../support/worker-process';
import { caseRows, eventRows, ingestConfig, inventoryEvent, receivingReport, TestBroker } from './support';

const ROOT = join(__dirname, '..', '..');

let engine: Engine;
let config: Config;
let broker: TestBroker;

beforeAll(async () => {
  engine = await startEngine();
  config = ingestConfig(engine.config);
  broker = new TestBroker(config.RABBITMQ_URL);
});
afterAll(async () => {
  await broker?.deleteQueues(config.RABBITMQ_QUEUE, config.RABBITMQ_DLQ).catch(() => undefined);
  await broker?.close();
  await engine?.stop();
});

/** What the suite's processes and commands get beside the environment: this file's queues. */
function suiteEnv(): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    RABBITMQ_QUEUE: config.RABBITMQ_QUEUE,
    RABBITMQ_DLQ: config.RABBITMQ_DLQ,
    TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
  };
}

function tsx(script: string, args: string[], extra?: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, env: { ...process.env, ...suiteEnv(), ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm run dlq -- ARGS…` as an operator runs it; a failure says why here, not as JSON that does not parse (2 is bad usage, asked for below). */
async function dlq(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = npmRun('dlq', args, { env: suiteEnv() });
  if (status !== 0 && status !== 2) throw new Error(`dlq ${args.join(' ')} exited ${status}: ${stderr}`);
  return { code: status, stdout, stderr };
}

const consumerOutput: string[] = [];

/** Waits like `eventually`, and on failure shows the consumer processes' last log lines. */
async function consumed<T>(fn: () => Promise<T | undefined | null | false>): Promise<T> {
  try {
    return await eventually(fn, 90_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nconsumer output (tail):\n${consumerOutput.join('').split('\n').slice(-40).join('\n')}`);
  }
}

/** The real consumer process (npm run consumer), ready once it consumes the test's queue. */
async function startConsumerProcess(extra?: Record<string, string>): Promise<ChildProcess> {
  const child = tsx('src/main/consumer.ts', [], extra);
  // kept so a failing wait can say what the consumer did
  child.stdout?.on('data', (d) => consumerOutput.push(String(d)));
  child.stderr?.on('data', (d) => consumerOutput.push(String(d)));
  await eventually(async () => (await broker.retrying((ch) => ch.assertQueue(config.RABBITMQ_QUEUE, { durable: true }))).consumerCount === 1, 60_000);
  return child;
}

it('bad usage exits 2 with the usage', async () => {
  for (const args of [[], ['purge'], ['list', '--limit'], ['list', '--limit', '0'], ['replay', '--limit', 'ten'], ['replay', '--all']]) {
    const r = await dlq(...args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toMatch(/usage: npm run dlq -- list/);
  }
});

/*
 * The scenario: the consumer ran with MAX_EVENT_BYTES set too low for a WMS that sends
 * receipts with large attribute blocks (and one report), so these valid messages were dead-lettered
 * as too large. The operator reads the DLQ, raises the limit (restarts the consumer with the
 * default), and replays: each message is taken in once.
 */
it('dead letters refused by a too-low size limit are listed without being taken, replayed after the fix, and taken in once', async () => {
  const site = uniq('DC');
  const big = { note: 'x'.repeat(3000) };
  const strict = await startConsumerProcess({ MAX_EVENT_BYTES: '2048' });
  // event ids are unique per source across the whole database: other files send events too
  const [e1, e2] = [uniq('E-1'), uniq('E-2')];
  await broker.publish(config.RABBITMQ_QUEUE, inventoryEvent(site, 'SKU-1', e1, { attributes: big }), { type: 'reckon.event', messageId: 'E-1', correlationId: 'corr-E-1' });
  await broker.publish(config.RABBITMQ_QUEUE, inventoryEvent(site, 'SKU-1', e2, { attributes: big }), { type: 'reckon.event', messageId: 'E-2' });
  await broker.publish(config.RABBITMQ_QUEUE, { kind: 'discrepancy', body: { ...receivingReport(site, 'SKU-1', uniq('ASN'), ['R-1']), note: 'y'.repeat(1900) } }, { messageId: 'R-1' });
  await eventually(async () => (await broker.messageCount(config.RABBITMQ_DLQ)) === 3, 90_000);
  await stopWorker(strict); // SIGTERM
  expect(strict.exitCode).toBe(0);

  // list: shows why, twice in a row, and takes nothing
  for (let i = 0; i < 2; i++) {
    const listed = await dlq('list');
    expect(listed.code).toBe(0);
    const letters = JSON.parse(listed.stdout) as { error: string; fields: unknown; originalQueue: string; correlationId: string; properties: { messageId: string }; body: string }[];
    expect(letters.map((l) => l.properties.messageId)).toEqual(['E-1', 'E-2', 'R-1']);
    expect(letters[0]).toMatchObject({ error: expect.stringMatching(/limit is 2048/), fields: [], originalQueue: config.RABBITMQ_QUEUE, correlationId: 'corr-E-1' });
    expect(JSON.parse(letters[0].body)).toMatchObject({ eventId: e1, site });
  }
  expect(await broker.messageCount(config.RABBITMQ_DLQ)).toBe(3);
  const limited = await dlq('list', '--limit', '1');
  expect(JSON.parse(limited.stdout)).toHaveLength(1);

  // replay one: it goes back to the intake queue without the verdict, marked as replayed
  expect(JSON.parse((await dlq('replay', '--limit', '1')).stdout)).toEqual({ replayed: 1, from: config.RABBITMQ_DLQ, to: config.RABBITMQ_QUEUE });
  expect(await broker.messageCount(config.RABBITMQ_DLQ)).toBe(2);
  await broker.retrying(async (ch) => {
    const m = await ch.get(config.RABBITMQ_QUEUE, { noAck: false });
    if (!m) throw new Error('the replayed message is not in the intake queue');
    try {
      const h = m.properties.headers ?? {};
      expect(Object.keys(h).filter((k) => k.startsWith('x-reckon-error') || k === DEAD_LETTER_HEADERS.failedAt || k === DEAD_LETTER_HEADERS.originalQueue)).toEqual([]);
      expect(new Date(String(h[DEAD_LETTER_HEADERS.replayedAt])).getTime()).not.toBeNaN();
      expect(m.properties).toMatchObject({ type: 'reckon.event', messageId: 'E-1', correlationId: 'corr-E-1' });
    } finally {
      ch.nack(m, false, true);
    }
  });

  // the fix: the consumer with the default limit; then replay the rest
  const fixed = await startConsumerProcess();
  try {
    await consumed(async () => (await eventRows(engine, site)).length === 1);
    expect(JSON.parse((await dlq('replay')).stdout)).toMatchObject({ replayed: 2 });
    const rows = await eventually(async () => {
      const r = await eventRows(engine, site);
      return r.length === 2 ? r : undefined;
    }, 90_000);
    expect(rows.map((r) => r.event_id).sort()).toEqual([e1, e2].sort());
    const cases = await eventually(async () => {
      const c = await caseRows(engine, site);
      return c.length === 1 ? c : undefined;
    }, 90_000);
    expect(cases[0].occurrences).toBe(1);
    expect(await broker.messageCount(config.RABBITMQ_DLQ)).toBe(0);
    expect(JSON.parse((await dlq('replay')).stdout)).toMatchObject({ replayed: 0 });
  } finally {
    await stopWorker(fixed);
  }
  expect(fixed.exitCode).toBe(0);
}, 300_000);
