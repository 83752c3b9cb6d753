import type { Config } from '../../src/config';
import type { IntakeConsumer } from '../../src/ingest/consumer';
import { takeIn } from '../../src/ingest/intake';
import { decodeMessage } from '../../src/ingest/queue-message';
import { intakeWiring } from '../../src/wiring/fake-wms';
import { createLogger } from '../../src/logger';
import { startApi, type Api } from '../support/api';
import { seedBalance } from '../support/cases';
import { WMS_INTEGRATION } from '../support/e2e';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { startQueueIntake, type QueueIntake, type TestBroker } from './support';

/**
 * A report retried after its case closed (an integration's retry, a queue redelivery) names
 * source events that case already took in: the answer is that case, and no new case starts.
 * And a report's case is readable the moment the report is accepted, through every door.
 */
let engine: Engine;
let api: Api;
let broker: TestBroker;
let config: Config;
let consumer: IntakeConsumer;
let intake: QueueIntake;

beforeAll(async () => {
  engine = await startEngine();
  api = await startApi(engine);
  intake = await startQueueIntake(engine);
  ({ config, broker, consumer } = intake);
});
afterAll(async () => {
  await intake?.stop();
  await api?.stop();
  await engine?.stop();
});

/** A count variance inside tolerance on seeded stock: the engine closes it on its own. */
async function autoResolving(sourceEventIds: string[]) {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'A-01-03', sku, wms: 120, erp: 120 });
  return { kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118, unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds };
}

const casesAt = async (site: string) =>
  (await engine.db.query<{ id: string; status: string; resolution: string | null }>('SELECT id, status, resolution FROM discrepancies WHERE site = $1 ORDER BY opened_at', [site])).rows;

const closedCase = (site: string) =>
  eventually(async () => {
    const rows = await casesAt(site);
    return rows.length === 1 && rows[0].status === 'closed' ? rows[0] : undefined;
  }, 60_000);

/** The workflow id's latest run (describe reads the execution itself, not visibility, which lags). */
async function latestRun(workflowId: string): Promise<{ runId: string; status: string }> {
  const d = await engine.client.workflow.getHandle(workflowId).describe();
  return { runId: d.runId, status: d.status.name };
}

/** The case's row says closed a moment before its run completes (it lets in-flight handlers finish). */
async function completedRun(workflowId: string, caseId: string): Promise<{ runId: string; status: string }> {
  await engine.client.workflow.getHandle(workflowId, caseId).result();
  return latestRun(workflowId);
}

describe('POST /v1/discrepancies', () => {
  it('the 202 links to a case that answers 200 at once, and the row follows the case to its close', async () => {
    const body = await autoResolving([uniq('CNT')]);
    const as = await api.as(WMS_INTEGRATION);
    const res = await as.post('/v1/discrepancies', body);
    expect(res.status).toBe(202);
    const page = await as.get(res.body.links.self);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ id: res.body.id, workflowId: res.body.workflowId, site: body.site, sku: body.sku, kind: 'count_variance' });
    const closed = await closedCase(body.site);
    expect(closed).toMatchObject({ id: res.body.id, resolution: 'auto_resolved' });
    const after = await as.get(res.body.links.self);
    expect(after.body).toMatchObject({ status: 'closed', resolution: 'auto_resolved' });
  });

  it('a report retried after its case closed is answered with that case; no new case, no new run', async () => {
    const body = await autoResolving([uniq('CNT'), uniq('CNT')]);
    const as = await api.as(WMS_INTEGRATION);
    const first = await as.post('/v1/discrepancies', body);
    expect(first.status).toBe(202);
    const closed = await closedCase(body.site);
    expect(closed.id).toBe(first.body.id);
    const runBefore = await completedRun(first.body.workflowId, first.body.id);
    expect(runBefore).toEqual({ runId: first.body.id, status: 'COMPLETED' });

    // the integration's retry: the same report, its source events in another order, twice
    const retries = await Promise.all([as.post('/v1/discrepancies', body), as.post('/v1/discrepancies', { ...body, sourceEventIds: [...body.sourceEventIds].reverse() })]);
    for (const r of retries) {
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ id: first.body.id, workflowId: first.body.workflowId, links: { self: first.body.links.self } });
      expect(r.headers.location).toBe(first.body.links.self);
    }
    // one of the two events only: still a retry of what the case took in
    const partial = await as.post('/v1/discrepancies', { ...body, sourceEventIds: [body.sourceEventIds[1]] });
    expect(partial.body.id).toBe(first.body.id);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await casesAt(body.site)).toEqual([closed]);
    expect(await latestRun(first.body.workflowId)).toEqual(runBefore);

    // a source event the closed case never had is a new discrepancy: a new case
    const fresh = await as.post('/v1/discrepancies', { ...body, sourceEventIds: [...body.sourceEventIds, uniq('CNT')] });
    expect(fresh.status).toBe(202);
    expect(fresh.body.id).not.toBe(first.body.id);
    expect((await as.get(fresh.body.links.self)).status).toBe(200);
    expect((await latestRun(first.body.workflowId)).runId).toBe(fresh.body.id);
  });
});

describe('the queue door', () => {
  it('a report message redelivered after its case closed leaves the one case, and starts no run', async () => {
    const body = await autoResolving([]);
    const messageId = uniq('msg');
    const props = { type: 'reckon.discrepancy', messageId };
    await broker.publish(config.RABBITMQ_QUEUE, body, props);
    const closed = await closedCase(body.site);
    const workflowId = (await engine.db.query<{ workflow_id: string }>('SELECT workflow_id FROM discrepancies WHERE id = $1', [closed.id])).rows[0].workflow_id;
    const runBefore = await completedRun(workflowId, closed.id);
    expect(runBefore).toEqual({ runId: closed.id, status: 'COMPLETED' });

    const taken = consumer.stats.accepted;
    await broker.publish(config.RABBITMQ_QUEUE, body, props); // the broker's redelivery, long after
    await eventually(async () => consumer.stats.accepted > taken);
    expect(await casesAt(body.site)).toEqual([closed]);
    expect(await latestRun(workflowId)).toEqual(runBefore);
  });

  it("the case id the queue's intake answers is readable at once, and a retry of it is answered with the same case", async () => {
    const body = await autoResolving([]);
    const logger = createLogger({ LOG_LEVEL: 'silent' }, 'test-intake');
    const deps = { ...intakeWiring(engine.config, engine.db, logger), config: engine.config, db: engine.db, temporal: engine.client };
    const decoded = decodeMessage({ content: Buffer.from(JSON.stringify(body)), properties: { type: 'reckon.discrepancy', messageId: uniq('msg') } }, 1 << 20);
    if (!decoded.ok) throw new Error(decoded.reason);
    const outcome = await takeIn(deps, decoded);
    if (outcome.kind !== 'discrepancy') throw new Error(`not a report: ${outcome.kind}`);
    const page = await (await api.as(WMS_INTEGRATION)).get(`/v1/discrepancies/${outcome.caseId}`);
    expect(page.status).toBe(200);
    expect(page.body.site).toBe(body.site);
    await closedCase(body.site);
    const again = await takeIn(deps, decoded);
    expect(again).toEqual(outcome);
    expect(await casesAt(body.site)).toHaveLength(1);
  });
});
