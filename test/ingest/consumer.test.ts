import type { Config } from '../../src/config';
import { freePort } from '../../src/dev/temporal-server';
import { Client } from '@temporalio/client';
import { IntakeConsumer } from '../../src/ingest/consumer';
import { createLogger } from '../../src/logger';
import { readCorrelationHeader } from '../../src/temporal/correlation-header';
import { reckonClientInterceptors } from '../../src/temporal/client-interceptors';
import { DEAD_LETTER_HEADERS } from '../../src/ingest/dead-letters';
import { createPool } from '../../src/store/db';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { caseRows, eventRows, ingestConfig, inventoryEvent, receivingReport, startConsumer, startQueueIntake, TcpProxy, type QueueIntake, type TestBroker } from './support';

let engine: Engine;
let config: Config;
let broker: TestBroker;
let consumer: IntakeConsumer;
let intake: QueueIntake;

beforeAll(async () => {
  engine = await startEngine();
  intake = await startQueueIntake(engine);
  ({ config, broker, consumer } = intake);
});
afterAll(async () => {
  await intake?.stop();
  await engine?.stop();
});

const headerOf = (m: { properties: { headers?: Record<string, unknown> } }, h: string) => {
  const v = m.properties.headers?.[h];
  return Buffer.isBuffer(v) ? v.toString('utf8') : v;
};

describe('good messages', () => {
  it('a canonical event becomes one inventory_events row; its redelivery changes nothing', async () => {
    const site = uniq('DC');
    const event = inventoryEvent(site, uniq('SKU'), uniq('WMS'));
    await broker.publish(config.RABBITMQ_QUEUE, event, { type: 'reckon.event' });
    await broker.publish(config.RABBITMQ_QUEUE, { kind: 'event', body: event }); // the same event, enveloped
    const rows = await eventually(async () => {
      const r = await eventRows(engine, site);
      return r.length === 1 && consumer.stats.duplicateEvents > 0 ? r : undefined;
    });
    expect(rows).toEqual([{ source: 'wms', event_id: event.eventId }]);
    expect(await broker.messageCount(config.RABBITMQ_QUEUE)).toBe(0);
  });

  it('a discrepancy report becomes a case; the same message delivered twice is one occurrence', async () => {
    const site = uniq('DC');
    const report = receivingReport(site, uniq('SKU'), uniq('ASN'), []);
    const props = { type: 'reckon.discrepancy', messageId: uniq('msg') };
    await broker.publish(config.RABBITMQ_QUEUE, report, props);
    const [opened] = await eventually(async () => {
      const r = await caseRows(engine, site);
      return r.length === 1 && r[0].status === 'awaiting_approval' ? r : undefined;
    });
    await broker.publish(config.RABBITMQ_QUEUE, report, props); // a redelivery
    await broker.publish(config.RABBITMQ_QUEUE, { kind: 'discrepancy', body: { ...report, sourceEventIds: ['R-2'] } });
    const rows = await eventually(async () => {
      const r = await caseRows(engine, site);
      return r[0]?.occurrences === 2 ? r : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(opened.id);
    expect(rows[0].source_event_ids).toEqual([`amqp-message:${props.messageId}`, 'R-2']);
  });
});

describe('correlation', () => {
  it("a message's correlation id reaches the workflow it starts (Temporal header), so the case's activities log it", async () => {
    const client = new Client({ connection: engine.client.connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: reckonClientInterceptors() });
    const correlating = new IntakeConsumer({ config: { ...config, RABBITMQ_QUEUE: `${config.RABBITMQ_QUEUE}.corr` }, db: engine.db, temporal: client, logger: createLogger({ LOG_LEVEL: 'silent' }, 'test-consumer') });
    await correlating.start();
    try {
      const site = uniq('DC');
      const correlationId = uniq('corr-queue');
      await broker.publish(`${config.RABBITMQ_QUEUE}.corr`, receivingReport(site, uniq('SKU'), uniq('ASN'), []), { type: 'reckon.discrepancy', correlationId });
      const [row] = await eventually(async () => {
        const { rows } = await engine.db.query<{ workflow_id: string }>('SELECT workflow_id FROM discrepancies WHERE site = $1', [site]);
        return rows.length === 1 ? rows : undefined;
      });
      const history = await client.workflow.getHandle(row.workflow_id).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(readCorrelationHeader(started?.header?.fields ?? undefined)).toBe(correlationId);
    } finally {
      await correlating.stop();
      await broker.deleteQueues(`${config.RABBITMQ_QUEUE}.corr`).catch(() => undefined);
    }
  });
});

describe('bad messages go to the dead-letter queue and the consumer goes on', () => {
  it('bad JSON, a failing schema and an unknown type are dead-lettered with their reason; a good report after them still becomes a case', async () => {
    const site = uniq('DC');
    const before = consumer.stats.deadLettered;
    await broker.publish(config.RABBITMQ_QUEUE, '{"kind": "event", "body": {', { messageId: 'bad-json', headers: { 'x-sender': 'erp-7' } });
    await broker.publish(config.RABBITMQ_QUEUE, { ...receivingReport(site, 'SKU-1', 'ASN-1', []), observedQty: -3, colour: 'red' }, { type: 'reckon.discrepancy', messageId: 'bad-schema', correlationId: 'corr-77' });
    await broker.publish(config.RABBITMQ_QUEUE, inventoryEvent(site, 'SKU-1', 'E-1'), { type: 'reckon.stocktake', messageId: 'bad-type' });
    await broker.publish(config.RABBITMQ_QUEUE, receivingReport(site, 'SKU-2', uniq('ASN'), ['R-1']), { type: 'reckon.discrepancy' });

    await eventually(async () => (await caseRows(engine, site)).length === 1 && consumer.stats.deadLettered - before === 3);
    expect((await caseRows(engine, site))[0].sku).toBe('SKU-2');
    const dead = await broker.drain(config.RABBITMQ_DLQ);
    const byId = Object.fromEntries(dead.map((m) => [m.properties.messageId, m]));
    expect(Object.keys(byId).sort()).toEqual(['bad-json', 'bad-schema', 'bad-type']);

    const json = byId['bad-json'];
    expect(json.content.toString()).toBe('{"kind": "event", "body": {'); // the original body
    expect(headerOf(json, DEAD_LETTER_HEADERS.error)).toMatch(/not UTF-8 JSON/);
    expect(headerOf(json, 'x-sender')).toBe('erp-7'); // the original headers
    expect(headerOf(json, DEAD_LETTER_HEADERS.originalQueue)).toBe(config.RABBITMQ_QUEUE);
    expect(new Date(String(headerOf(json, DEAD_LETTER_HEADERS.failedAt))).getTime()).not.toBeNaN();

    const schema = byId['bad-schema'];
    expect(schema.properties.type).toBe('reckon.discrepancy');
    expect(schema.properties.correlationId).toBe('corr-77');
    expect(headerOf(schema, DEAD_LETTER_HEADERS.error)).toBe('invalid discrepancy report');
    const fields = JSON.parse(String(headerOf(schema, DEAD_LETTER_HEADERS.fields))) as { path: string; message: string }[];
    expect(fields).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: 'unknown field' },
        { path: 'observedQty', message: expect.stringMatching(/>= 0/) },
      ]),
    );

    expect(headerOf(byId['bad-type'], DEAD_LETTER_HEADERS.error)).toMatch(/unknown message type "reckon.stocktake"/);
    expect(consumer.consuming).toBe(true);
  });

  it('a poison event Postgres refuses (a NUL character) is dead-lettered, not retried forever, and does not stop the consumer', async () => {
    const site = uniq('DC');
    // event ids are unique per source across the whole database: other files send events too
    await broker.publish(config.RABBITMQ_QUEUE, inventoryEvent(site, 'SKU-1', uniq('E'), { reasonCode: 'BAD\u0000' }), { type: 'reckon.event', messageId: 'poison' });
    await broker.publish(config.RABBITMQ_QUEUE, inventoryEvent(site, 'SKU-1', uniq('E')), { type: 'reckon.event' });
    await eventually(async () => (await eventRows(engine, site)).length === 1, 90_000);
    const dead = await eventually(async () => {
      const d = await broker.drain(config.RABBITMQ_DLQ);
      return d.length ? d : undefined;
    }, 90_000);
    expect(dead.map((m) => m.properties.messageId)).toEqual(['poison']);
    expect(headerOf(dead[0], DEAD_LETTER_HEADERS.error)).toMatch(/Postgres refused the data \(SQLSTATE 22/);
    expect(consumer.consuming).toBe(true);
  }, 240_000);
});

describe('a transient failure is never dead-lettered', () => {
  it('while Postgres is unreachable the event is held and retried; once it is back the event is stored once', async () => {
    const proxy = new TcpProxy(Number(new URL(engine.config.DATABASE_URL).port || 5432), await freePort());
    await proxy.up();
    const url = new URL(engine.config.DATABASE_URL);
    url.port = String(proxy.port);
    const db = createPool(url.toString(), 2);
    const own = ingestConfig(engine.config);
    const held = startConsumer(engine, own, db);
    try {
      await held.start();
      await proxy.down();
      const site = uniq('DC');
      await broker.publish(own.RABBITMQ_QUEUE, inventoryEvent(site, 'SKU-1', uniq('E')), { type: 'reckon.event' });
      await eventually(async () => held.stats.retries >= 3);
      expect(await eventRows(engine, site)).toEqual([]);
      expect(held.stats.deadLettered).toBe(0);

      await proxy.up();
      await eventually(async () => (await eventRows(engine, site)).length === 1, 90_000);
      expect(held.stats.deadLettered).toBe(0);
      expect(await broker.messageCount(own.RABBITMQ_DLQ)).toBe(0);
      await eventually(async () => (await broker.messageCount(own.RABBITMQ_QUEUE)) === 0 && held.stats.accepted === 1, 90_000);
    } finally {
      await held.stop();
      await db.end();
      await proxy.down();
      await broker.deleteQueues(own.RABBITMQ_QUEUE, own.RABBITMQ_DLQ).catch(() => undefined);
    }
  }, 240_000);
});
