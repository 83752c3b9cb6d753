import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { freePort } from '../../src/dev/temporal-server';
import { appendAudit } from '../../src/store/audit-repo';
import { withTransaction } from '../../src/store/db';
import { insertCase, reportBody, startApi, uniq, type ApiHarness } from '../api/support';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { eventually } from '../support/engine';
import { spawnWorker, stopWorker } from '../support/worker-process';
import { sample } from './support';

/** Prometheus: the API's /metrics and the worker's endpoint, scraped as Prometheus would. */
describe('API /metrics', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    expect(api.serverErrors).toEqual([]);
    await api.close();
  });
  const scrape = async () => {
    const res = await request(api.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.text;
  };

  it('counts requests and errors by route pattern, never by raw URL, with a latency histogram', async () => {
    const viewer = await api.bearer(['viewer']);
    const before = await scrape();
    const labels = { method: 'GET', route: '/v1/discrepancies/:id', status: '404' };
    await request(api.app).get(`/v1/discrepancies/${randomUUID()}`).set('Authorization', viewer).expect(404);
    await request(api.app).get(`/v1/discrepancies/${randomUUID()}`).set('Authorization', viewer).expect(404);
    await request(api.app).get('/v1/discrepancies').set('Authorization', viewer).expect(200);
    await request(api.app).get('/v1/discrepancies').expect(401);
    const after = await scrape();

    expect((sample(after, 'reckon_http_requests_total', labels) ?? 0) - (sample(before, 'reckon_http_requests_total', labels) ?? 0)).toBe(2);
    expect((sample(after, 'reckon_http_errors_total', labels) ?? 0) - (sample(before, 'reckon_http_errors_total', labels) ?? 0)).toBe(2);
    const list = { method: 'GET', route: '/v1/discrepancies', status: '200' };
    expect((sample(after, 'reckon_http_requests_total', list) ?? 0) - (sample(before, 'reckon_http_requests_total', list) ?? 0)).toBe(1);
    // refused before any route matched
    expect(sample(after, 'reckon_http_requests_total', { route: 'unmatched', status: '401' })).toBeGreaterThanOrEqual(1);
    const latency = { method: 'GET', route: '/v1/discrepancies/:id', status_class: '4xx' };
    expect((sample(after, 'reckon_http_request_duration_seconds_count', latency) ?? 0) - (sample(before, 'reckon_http_request_duration_seconds_count', latency) ?? 0)).toBe(2);
    expect(sample(after, 'reckon_http_request_duration_seconds_bucket', { ...latency, le: '+Inf' })).toBeGreaterThanOrEqual(2);
    expect(after).not.toMatch(/route="\/v1\/discrepancies\/[0-9a-f]{8}-/);
    // process metrics come along
    expect(sample(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('reports cases by kind, status and resolution, and the audit log’s SLA breaches and escalations', async () => {
    const before = await scrape();
    const open = { kind: 'transfer_delay', status: 'awaiting_approval', resolution: 'none' };
    const closed = { kind: 'transfer_delay', status: 'closed', resolution: 'escalated_terminal' };
    const site = uniq('MET');
    const a = await insertCase(api.db, { report: { kind: 'transfer_delay', site } });
    await insertCase(api.db, { report: { kind: 'transfer_delay', site } });
    await insertCase(api.db, { report: { kind: 'transfer_delay', site }, status: 'closed', resolution: 'escalated_terminal', closedAt: new Date().toISOString() });
    const at = new Date().toISOString();
    await withTransaction(api.db, (c) =>
      appendAudit(c, a.caseId, [
        { seq: 2, at, action: 'sla_breached', actorKind: 'system', actorId: 'reckon' },
        { seq: 3, at, action: 'escalated', actorKind: 'system', actorId: 'reckon' },
      ]),
    );
    // figures come from the read model, cached for a few seconds: they move on a later scrape
    const after = await eventually(async () => {
      const text = await scrape();
      return (sample(text, 'reckon_cases', open) ?? 0) >= (sample(before, 'reckon_cases', open) ?? 0) + 2 ? text : undefined;
    });
    expect(sample(after, 'reckon_cases', closed)).toBeGreaterThanOrEqual((sample(before, 'reckon_cases', closed) ?? 0) + 1);
    const kind = { kind: 'transfer_delay' };
    expect(sample(after, 'reckon_audit_sla_breaches_total', kind)).toBeGreaterThanOrEqual((sample(before, 'reckon_audit_sla_breaches_total', kind) ?? 0) + 1);
    expect(sample(after, 'reckon_audit_escalations_total', kind)).toBeGreaterThanOrEqual((sample(before, 'reckon_audit_escalations_total', kind) ?? 0) + 1);
  });
});

describe('worker metrics endpoint', () => {
  let worker: ChildProcess;
  let connection: Connection;
  let client: Client;
  let url: string;
  const taskQueue = `reckon-metrics-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    worker = spawnWorker({ TEMPORAL_TASK_QUEUE: taskQueue, WORKER_METRICS_PORT: String(port), HOST: '127.0.0.1' });
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await stopWorker(worker);
    await connection.close();
  });

  const scrape = async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('serves the Temporal SDK’s metrics and Reckon’s counters, and both move with a case', async () => {
    const before = await eventually(async () => (await fetch(url).then((r) => r.text(), () => undefined)) || undefined, 60_000);
    const site = uniq('WMET');
    const handle = await reportDiscrepancy(client, taskQueue, reportBody({ site, kind: 'count_variance' }));
    const rested = await waitForStatus(client, handle.workflowId, ['awaiting_approval', 'awaiting_recount', 'closed'], 60_000);

    // the case's steps on its own are recorded with where it came to rest: one transition into that status at least
    const restedIn = { kind: 'count_variance', status: rested.status };
    const after = await eventually(async () => {
      const text = await scrape();
      return (sample(text, 'reckon_case_transitions_total', restedIn) ?? 0) >= (sample(before, 'reckon_case_transitions_total', restedIn) ?? 0) + 1 ? text : undefined;
    });
    // the worker publishes every transition on the live feed
    const moved = (text: string, name: string, labels?: Record<string, string>) => (sample(text, name, labels) ?? 0);
    expect(moved(after, 'reckon_case_feed_published_total') - moved(before, 'reckon_case_feed_published_total')).toBeGreaterThanOrEqual(
      moved(after, 'reckon_case_transitions_total', { kind: 'count_variance' }) - moved(before, 'reckon_case_transitions_total', { kind: 'count_variance' }),
    );
    // the SDK's own series, from the same endpoint
    const recorded = { activity_type: 'recordTransition' };
    expect(sample(after, 'temporal_activity_execution_latency_count', recorded)).toBeGreaterThan(sample(before, 'temporal_activity_execution_latency_count', recorded) ?? 0);
    expect(sample(after, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThan(0);
  });
});
