import { randomUUID } from 'node:crypto';
import { intakeWiring } from '../../src/wiring/fake-wms';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import type { Pool } from 'pg';
import { createApp } from '../../src/api/app';
import type { ApiTimeouts } from '../../src/api/deps';
import { createRedisClient } from '../../src/api/redis';
import { loadConfig, type Config } from '../../src/config';
import { DiscrepancyReport, dedupeKey, workflowIdForKey, type CaseState, type DiscrepancyReportInput } from '../../src/domain';
import { createApiKey } from '../../src/store/api-key-repo';
import { upsertCaseRow } from '../../src/store/case-projection';
import { createPool } from '../../src/store/db';

export interface ApiHarnessOptions {
  config?: Partial<Config>;
  timeouts?: Partial<ApiTimeouts>;
  /** a Temporal connection to use instead of the suite's dev server (e.g. an unreachable one) */
  connection?: Connection;
  logLevel?: 'warn' | 'info' | 'debug';
}

/**
 * createApp against the suite's real Temporal dev server, Postgres and Redis, on a task queue of
 * its own so no worker of another test file picks its workflows up. Every error-level log line
 * (a 500 or an unhandled error) is kept in `serverErrors`, which tests expect to stay empty.
 */
export async function startApi(opts: ApiHarnessOptions = {}) {
  const config: Config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: `reckon-api-test-${randomUUID().slice(0, 8)}`, ...opts.config };
  const db: Pool = createPool(config.DATABASE_URL, 5);
  const connection = opts.connection ?? (await Connection.connect({ address: config.TEMPORAL_ADDRESS }));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const redis = createRedisClient(config.REDIS_URL);
  const logs: string[] = [];
  const serverErrors: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      if (JSON.parse(String(chunk)).level >= 50) serverErrors.push(String(chunk));
      done();
    },
  });
  // no redaction here: the tests check the API never logs a key in the first place
  const logger = pino({ level: opts.logLevel ?? 'warn' }, sink);
  const app = createApp({ temporal, db, redis, config, logger, timeouts: opts.timeouts, intakePorts: intakeWiring(config, db, logger) });

  return {
    app,
    config,
    db,
    temporal,
    redis,
    logs,
    serverErrors,
    /** a fresh key; returns the Authorization header value */
    async bearer(roles: string[], sites: string[] = ['*'], userId = `user-${randomUUID().slice(0, 6)}`): Promise<string> {
      const { key } = await createApiKey(db, { userId, roles, sites });
      return `Bearer ${key}`;
    },
    async close() {
      redis.disconnect();
      await connection.close().catch(() => undefined);
      await db.end();
    },
  };
}
export type ApiHarness = Awaited<ReturnType<typeof startApi>>;

export const uniq = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A valid report body, as an integration sends it. */
export function reportBody(overrides: Partial<DiscrepancyReportInput> = {}): DiscrepancyReportInput {
  return {
    kind: 'count_variance',
    site: 'DC1',
    sku: uniq('SKU'),
    location: 'A-01-03',
    expectedQty: 24,
    observedQty: 20,
    unitCost: 12.5,
    skuClass: 'A',
    source: 'wms',
    sourceEventIds: ['WMS-1'],
    ...overrides,
  };
}

/** A read-model row as the workflow would project it, written straight into `discrepancies`. */
export async function insertCase(
  db: Pool,
  overrides: Omit<Partial<CaseState>, 'report'> & { report?: Partial<DiscrepancyReportInput> } = {},
): Promise<CaseState> {
  const { report: reportOverrides, ...stateOverrides } = overrides;
  const report = DiscrepancyReport.parse(reportBody(reportOverrides));
  const state: CaseState = {
    caseId: randomUUID(),
    workflowId: workflowIdForKey(report),
    dedupeKey: dedupeKey(report),
    report,
    occurrences: 1,
    sourceEventIds: report.sourceEventIds,
    status: 'awaiting_approval',
    policyVersion: 1,
    expectedQty: report.expectedQty,
    observedQty: report.observedQty,
    recounts: [],
    involvedUsers: [],
    severity: 'review',
    escalationLevel: 0,
    ownerRole: 'inventory_control',
    breached: false,
    approvals: [],
    comments: [],
    openedAt: new Date().toISOString(),
    seq: 1,
    writeAttempt: 0,
    ...stateOverrides,
  };
  await upsertCaseRow(db, state, 1);
  return state;
}
