import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type Worker } from '@temporalio/worker';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { loadConfig, type Config } from '../../src/config';
import { DiscrepancyReport, PolicyDocument, workflowIdForKey, type CaseState, type PolicyDocumentInput } from '../../src/domain';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { DISCREPANCY_WORKFLOW_TYPE, reportSignal, stateQuery } from '../../src/workflows/messages';
import type { Connection } from '@temporalio/client';
import { wantedSearchAttributes } from '../../src/temporal/search-attributes-setup';
import { createReckonWorker } from '../../src/workers/build';
import { uniq } from '../support/engine';
import { TEST_POLICY_INPUT } from '../support/test-policy';

/**
 * SLAs on business hours, in Temporal's time-skipping test server: hours and days pass in
 * seconds, so a Friday-evening case is watched breaching on Monday, past a holiday, and across a
 * daylight-saving change, with the real worker (activities on Postgres).
 */
const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let db: Pool;
let config: Config;

const BERLIN = {
  timeZone: 'Europe/Berlin',
  hours: { mon: [['08:00', '17:00']], tue: [['08:00', '17:00']], wed: [['08:00', '17:00']], thu: [['08:00', '17:00']], fri: [['08:00', '17:00']] },
  // Christmas 2026 falls on a Friday; 2027-03-29 is an invented site holiday (a Monday)
  holidays: ['2026-12-25', '2027-03-29'],
} as const;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: join(__dirname, '..', '..', '.venv', 'bin', 'temporal-test-server') } },
  });
  // the test server starts bare: Reckon's search attributes first, as the dev server's setup does
  // (it answers addSearchAttributes, not listSearchAttributes)
  await (env.connection as Connection).operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: wantedSearchAttributes() });
  config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: `reckon-hours-${randomUUID().slice(0, 8)}` };
  db = createPool(config.DATABASE_URL, 5);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  worker = await createReckonWorker({ config, db, logger: createLogger({ LOG_LEVEL: 'warn' }, 'business-hours'), connection: env.nativeConnection, workflowBundle });
  running = worker.run();
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await env?.teardown();
  await db?.end();
});

/** A receiving variance (not recounted, no rule settles it) at a site whose first rung gives 4 business hours. */
async function openCase(site: string, withCalendar = true): Promise<string> {
  const policy: PolicyDocumentInput = {
    ...TEST_POLICY_INPUT,
    calendars: withCalendar ? { [site]: BERLIN as never } : {},
    ladders: {
      ...TEST_POLICY_INPUT.ladders,
      review: { rungs: [{ role: 'inventory_control', sla: '4h' }, { role: 'site_supervisor', sla: '4h' }], terminal: { action: 'page_only', role: 'ops_manager', then: 'stay_open' } },
    },
  };
  const report = DiscrepancyReport.parse({
    kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 50, observedQty: 40, unitCost: 5, skuClass: 'C', source: 'erp',
  });
  const receivedAt = new Date(await env.currentTimeMs()).toISOString();
  const h = await env.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ report, receivedAt, policy: { version: 700_000, document: PolicyDocument.parse(policy) } }],
    signal: reportSignal,
    signalArgs: [{ report, receivedAt }],
  });
  return h.workflowId;
}

/** Skips the test server's clock to `atMs` (it only moves forward). */
async function skipTo(atMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (atMs > now) await env.sleep(atMs - now);
}

/** Within a second: the case opens a few milliseconds after the skip lands. */
const near = (iso: string | undefined, expected: string) => expect(Math.abs(Date.parse(iso ?? '') - Date.parse(expected))).toBeLessThan(1000);

const state = (id: string) => env.client.workflow.getHandle(id).query(stateQuery, {});
async function settled(id: string): Promise<CaseState> {
  for (let i = 0; i < 100; i++) {
    const s = await state(id);
    if (s.status === 'awaiting_approval') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the case never came to an approver');
}

it('a 4-hour SLA opened on Friday at 17:00 is due on Monday at 12:00 and breaches then, not on Friday night', async () => {
  // Friday 2026-12-11 17:00 in Berlin (CET, UTC+1)
  await skipTo(Date.UTC(2026, 11, 11, 16, 0));
  const id = await openCase(uniq('CAL'));
  const s = await settled(id);
  near(s.slaDeadline, '2026-12-14T11:00:00.000Z');
  expect(s.slaDeadlineLocal).toBe('2026-12-14 12:00 Europe/Berlin');
  // Saturday night: nothing has happened
  await skipTo(Date.UTC(2026, 11, 13, 22, 0));
  expect(await state(id)).toMatchObject({ escalationLevel: 0, breached: false });
  // Monday 12:01: the first rung has breached; the second is due at 16:00 the same day
  await skipTo(Date.UTC(2026, 11, 14, 11, 1));
  const after = await state(id);
  expect(after).toMatchObject({ escalationLevel: 1, breached: true, ownerRole: 'site_supervisor' });
  near(after.slaDeadline, '2026-12-14T15:00:00.000Z');
});

it('counts no time on a holiday and follows the clocks across the spring change', async () => {
  // Friday 2027-03-26 15:00 CET; the clocks go forward on Sunday 2027-03-28; Monday the 29th is a holiday
  await skipTo(Date.UTC(2027, 2, 26, 14, 0));
  const id = await openCase(uniq('CAL'));
  const s = await settled(id);
  // 2 hours on Friday (15:00-17:00 CET), 2 more on Tuesday from 08:00 CEST (UTC+2): due 10:00 CEST
  near(s.slaDeadline, '2027-03-30T08:00:00.000Z');
  expect(s.slaDeadlineLocal).toBe('2027-03-30 10:00 Europe/Berlin');
  await skipTo(Date.UTC(2027, 2, 29, 20, 0));
  expect(await state(id)).toMatchObject({ escalationLevel: 0, breached: false });
  await skipTo(Date.UTC(2027, 2, 30, 8, 1));
  expect(await state(id)).toMatchObject({ escalationLevel: 1, breached: true });
});

it('a site without a calendar keeps wall-clock SLAs', async () => {
  // Saturday 2027-04-03 22:00 UTC
  await skipTo(Date.UTC(2027, 3, 3, 22, 0));
  const id = await openCase(uniq('NOCAL'), false);
  const s = await settled(id);
  expect(Date.parse(s.slaDeadline!) - Date.parse(s.rungStartedAt!)).toBe(4 * HOUR);
  expect(s.slaDeadlineLocal).toBeUndefined();
});
