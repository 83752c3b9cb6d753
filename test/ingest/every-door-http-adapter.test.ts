import type { Pool } from 'pg';
import { loadConfig, type Config } from '../../src/config';
import type { IntakeConsumer } from '../../src/ingest/consumer';
import { createPool } from '../../src/store/db';
import { startLedgerRemote, type LedgerRemote } from '../contract/servers';
import { startApi } from '../support/api';
import { startEngine } from '../support/engine';
import { build, outcome, SCENARIOS, send, type Stack } from './doors';
import { ingestConfig, startConsumer, TestBroker } from './support';

/**
 * ADAPTER=http: the engine reaches the WMS/ERP only over the REST contract (the fake, the
 * reference ledger, served over HTTP), and its detectors read Reckon's event-fed stock. Every
 * kind's scenario through that engine's API and its queue must end as it does on the embedded
 * adapter through the API: same cases, detections and watcher outcomes.
 */
let pool: Pool;
let remote: LedgerRemote;
let embedded: Stack;
let overHttp: Stack;
let consumer: IntakeConsumer;

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  remote = await startLedgerRemote(pool);
  const e = await startEngine();
  embedded = { engine: e, api: await startApi(e), broker: new TestBroker(e.config.RABBITMQ_URL), config: e.config };
  const h = await startEngine({ ADAPTER: 'http', WMS_HTTP_URL: remote.wmsUrl, ERP_HTTP_URL: remote.erpUrl, ADAPTER_HTTP_API_KEY: remote.apiKey });
  const config: Config = ingestConfig(h.config);
  overHttp = { engine: h, api: await startApi(h), broker: new TestBroker(config.RABBITMQ_URL), config };
  consumer = startConsumer(h, config);
  await consumer.start();
}, 60_000);
afterAll(async () => {
  await consumer?.stop();
  await overHttp?.broker.deleteQueues(overHttp.config.RABBITMQ_QUEUE, overHttp.config.RABBITMQ_DLQ).catch(() => undefined);
  for (const s of [overHttp, embedded]) {
    await s?.broker.close();
    await s?.api.stop();
    await s?.engine.stop();
  }
  await remote?.stop();
  await pool?.end();
});

describe.each(Object.entries(SCENARIOS))('%s', (_name, scenario) => {
  it('ends the same with the http adapter (through the API and the queue) as with the embedded one', async () => {
    const runs = [
      { stack: embedded, door: 'http' as const, run: build(scenario, 'emb') },
      { stack: overHttp, door: 'http' as const, run: build(scenario, 'hapi') },
      { stack: overHttp, door: 'queue' as const, run: build(scenario, 'hq') },
    ];
    await Promise.all(runs.map((r) => send(r.stack, r.door, r.run.events)));
    const [reference, api, queue] = await Promise.all(runs.map((r) => outcome(r.stack, scenario, r.door, r.run)));
    expect(reference.cases.some((c) => c.startsWith(scenario.opens[0]))).toBe(true);
    expect(api).toEqual(reference);
    expect(queue).toEqual(reference);
  }, 120_000);
});
