import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { connect } from 'amqplib';
import type { Config } from '../../src/config';
import { IntakeConsumer } from '../../src/ingest/consumer';
import { DEAD_LETTER_HEADERS } from '../../src/ingest/dead-letters';
import { createLogger } from '../../src/logger';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { eventRows, ingestConfig, inventoryEvent, rabbitmqctl, receivingReport, startConsumer, TestBroker } from './support';

/**
 * One broker account per site: the consumer holds each message's AMQP user-id (validated by
 * RabbitMQ against the publishing connection) against RABBITMQ_PUBLISHER_SITES.
 */
let engine: Engine;
let config: Config;
let consumer: IntakeConsumer;
let admin: TestBroker;
let publisherA: TestBroker;
const siteA = uniq('DCA');
const siteB = uniq('DCB');
const userA = uniq('reckon-test-pub');
const password = randomBytes(12).toString('hex');

beforeAll(async () => {
  engine = await startEngine();
  await rabbitmqctl('add_user', userA, password);
  await rabbitmqctl('set_permissions', '-p', '/', userA, '^$', '.*', '^$');
  config = ingestConfig(engine.config, { RABBITMQ_PUBLISHER_SITES: { [userA]: [siteA], guest: ['*'] }, RABBITMQ_MAX_ATTEMPTS: 2 });
  admin = new TestBroker(config.RABBITMQ_URL);
  const url = new URL(config.RABBITMQ_URL);
  url.username = userA;
  url.password = password;
  publisherA = new TestBroker(url.toString());
  consumer = startConsumer(engine, config);
  await consumer.start();
});
afterAll(async () => {
  await consumer?.stop();
  await admin?.deleteQueues(config.RABBITMQ_QUEUE, config.RABBITMQ_DLQ).catch(() => undefined);
  await admin?.close();
  await publisherA?.close();
  await rabbitmqctl('delete_user', userA).catch(() => undefined);
  await engine?.stop();
});

const errorOf = (m: { properties: { headers?: Record<string, unknown> } }) => String(m.properties.headers?.[DEAD_LETTER_HEADERS.error]);

it('a publisher without rights to a site is dead-lettered; its own site is taken in; no user-id is refused', async () => {
  const before = consumer.stats.deadLettered;
  await publisherA.publish(config.RABBITMQ_QUEUE, inventoryEvent(siteA, 'SKU-1', 'A-1'), { type: 'reckon.event', userId: userA, messageId: 'own-site' });
  await publisherA.publish(config.RABBITMQ_QUEUE, inventoryEvent(siteB, 'SKU-1', 'B-1'), { type: 'reckon.event', userId: userA, messageId: 'other-site' });
  await publisherA.publish(config.RABBITMQ_QUEUE, receivingReport(siteB, 'SKU-2', uniq('ASN'), ['B-2']), { type: 'reckon.discrepancy', userId: userA, messageId: 'other-site-report' });
  await publisherA.publish(config.RABBITMQ_QUEUE, inventoryEvent(siteA, 'SKU-1', 'A-2'), { type: 'reckon.event', messageId: 'anonymous' });

  await eventually(async () => (await eventRows(engine, siteA)).length === 1 && consumer.stats.deadLettered - before === 3);
  expect((await eventRows(engine, siteA)).map((r) => r.event_id)).toEqual(['A-1']);
  expect(await eventRows(engine, siteB)).toEqual([]);
  const dead = Object.fromEntries((await admin.drain(config.RABBITMQ_DLQ)).map((m) => [m.properties.messageId, errorOf(m)]));
  expect(dead).toEqual({
    'other-site': `publisher ${userA} has no rights to site ${siteB} (it may publish for ${siteA})`,
    'other-site-report': `publisher ${userA} has no rights to site ${siteB} (it may publish for ${siteA})`,
    anonymous: expect.stringMatching(/no AMQP user-id/),
  });
});

it('the broker refuses a user-id that is not the publishing connection’s own: the identity cannot be forged', async () => {
  const url = new URL(config.RABBITMQ_URL);
  url.username = userA;
  url.password = password;
  const conn = await connect(url.toString());
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createConfirmChannel();
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.sendToQueue(config.RABBITMQ_QUEUE, Buffer.from('{}'), { userId: 'guest' }, () => undefined);
    expect((await closed).message).toMatch(/user_id property set to 'guest' but authenticated user was/);
  } finally {
    await conn.close().catch(() => undefined);
  }
});

it('a message failing for a reason other than the infrastructure is dead-lettered after RABBITMQ_MAX_ATTEMPTS, with the reason', async () => {
  // a consumer whose Temporal namespace does not exist: every attempt fails the same way
  const broken = new IntakeConsumer({
    config: { ...config, RABBITMQ_QUEUE: `${config.RABBITMQ_QUEUE}.broken`, RABBITMQ_DLQ: `${config.RABBITMQ_DLQ}.broken` },
    db: engine.db,
    temporal: new Client({ connection: engine.client.connection, namespace: uniq('no-such-namespace') }),
    logger: createLogger({ LOG_LEVEL: 'silent' }, 'test-consumer'),
  });
  await broken.start();
  try {
    await admin.publish(`${config.RABBITMQ_QUEUE}.broken`, receivingReport(siteA, 'SKU-3', uniq('ASN'), ['A-3']), { type: 'reckon.discrepancy', userId: 'guest', messageId: 'never' });
    await eventually(async () => broken.stats.deadLettered === 1, 30_000);
    const [dead] = await admin.drain(`${config.RABBITMQ_DLQ}.broken`);
    expect(errorOf(dead)).toMatch(/^intake failed 2 times: .*namespace/i);
  } finally {
    await broken.stop();
    await admin.deleteQueues(`${config.RABBITMQ_QUEUE}.broken`, `${config.RABBITMQ_DLQ}.broken`).catch(() => undefined);
  }
});

it('the broker itself refuses a message body over max_message_size (scripts/setup.sh sets 1 MiB)', async () => {
  const huge = Buffer.alloc(1024 * 1024 + 1, 0x20);
  const conn = await connect(config.RABBITMQ_URL);
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createConfirmChannel();
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.sendToQueue(config.RABBITMQ_QUEUE, huge, {}, () => undefined);
    expect((await closed).message).toMatch(/message size/i);
  } finally {
    await conn.close().catch(() => undefined);
  }
});
