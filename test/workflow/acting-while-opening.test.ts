import { randomUUID } from 'node:crypto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { PoolClient } from 'pg';
import { createLogger } from '../../src/logger';
import { createReckonWorker } from '../../src/workers/build';
import { stateQuery } from '../../src/workflows/messages';
import { startApi, type Api } from '../support/api';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

/**
 * People who act on a case still in its opening (its first record not yet made: the row is the
 * intake's, while the workflow already waits on the approval's notification) are answered as on
 * any case, and their entries land after the opening's, in the case and in the log. The opening
 * is held by a Postgres row with the notification's idempotency key, kept in an open transaction:
 * the in-app notifier's insert waits on it, as on any concurrent writer.
 */
let engine: Engine;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  engine = await startEngine();
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await engine?.stop();
});

/** A review case reported through the API whose first rung's notification is held until `release`. */
async function heldOpening() {
  // the API starts cases on a queue no worker polls yet: the case's id is known before its first task
  const queue = `reckon-test-opening-${randomUUID().slice(0, 8)}`;
  const api: Api = await startApi({ ...engine, config: { ...engine.config, TEMPORAL_TASK_QUEUE: queue } });
  cleanups.push(() => api.stop());
  const site = uniq('DC-OPENING');
  const approver = await api.as({ userId: uniq('ic-opening'), roles: ['inventory_control'], sites: [site] });
  const integration = await api.as({ userId: 'erp-opening', roles: ['integration'], sites: [site] });
  const reported = await integration
    .post('/v1/discrepancies', {
      kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
      expectedQty: 100, observedQty: 90, unitCost: 5, skuClass: 'B', source: 'erp',
    })
    .expect(202);
  const { id, workflowId } = reported.body as { id: string; workflowId: string };

  // the first rung's notification (src/workflows/waits.ts: enterApproval) waits on this row
  let holder: PoolClient | undefined = await engine.db.connect();
  await holder.query('BEGIN');
  await holder.query(
    `INSERT INTO in_app_notifications (id, role, site, case_id, subject, body, idempotency_key) VALUES ($1, 'inventory_control', $2, $3, 'held', 'held', $4)`,
    [`NTF-held-${randomUUID()}`, site, id, `${id}:notify:0:0`],
  );
  const release = async () => {
    if (!holder) return;
    await holder.query('ROLLBACK');
    holder.release();
    holder = undefined;
  };
  cleanups.push(release);
  const native = await NativeConnection.connect({ address: engine.config.TEMPORAL_ADDRESS });
  const worker: Worker = await createReckonWorker({
    config: { ...engine.config, TEMPORAL_TASK_QUEUE: queue },
    db: engine.db,
    logger: createLogger({ LOG_LEVEL: 'warn' }, 'test-opening-worker'),
    connection: native,
    workflowBundle: engine.workflowBundle,
  });
  const running = worker.run();
  cleanups.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await native.close();
  });

  const handle = engine.client.workflow.getHandle(workflowId);
  await eventually(async () => (await handle.query(stateQuery, {})).status === 'awaiting_approval');
  // still in its opening: nothing recorded, the row as the intake wrote it
  const row = await engine.db.query<{ status: string }>('SELECT status FROM discrepancies WHERE id = $1', [id]);
  expect(row.rows[0].status).toBe('opened');
  expect((await engine.db.query('SELECT 1 FROM audit_log WHERE case_id = $1', [id])).rowCount).toBe(0);
  return { id, handle, approver, release };
}

async function auditOf(id: string, until: string) {
  return eventually(async () => {
    const rows = (await engine.db.query<{ action: string; detail: { text?: string } }>('SELECT action, detail FROM audit_log WHERE case_id = $1 ORDER BY seq', [id])).rows;
    return rows.some((r) => r.action === until) ? rows : undefined;
  });
}

it('takes a comment made while the case is still opening, after the opening is recorded', async () => {
  const { id, handle, approver, release } = await heldOpening();

  const commented = await approver.post(`/v1/discrepancies/${id}/comments`, { text: 'carton 3 was crushed' });
  expect(commented.status).toBe(200);
  expect(commented.body).toMatchObject({ outcome: 'comment recorded' });
  await release();

  const actions = await auditOf(id, 'commented');
  const names = actions.map((r) => r.action);
  expect(names.slice(0, 2)).toEqual(['opened', 'evidence_gathered']);
  // the opening's entries first, the comment after them, once
  expect(names.indexOf('approval_requested')).toBeGreaterThan(-1);
  expect(names.indexOf('commented')).toBeGreaterThan(names.indexOf('approval_requested'));
  expect(names.filter((n) => n === 'commented')).toHaveLength(1);
  expect(actions.find((r) => r.action === 'commented')?.detail.text).toBe('carton 3 was crushed');

  const state = await handle.query(stateQuery, {});
  expect(state.comments).toEqual([expect.objectContaining({ text: 'carton 3 was crushed' })]);
  await eventually(async () => (await engine.db.query(`SELECT 1 FROM discrepancies WHERE id = $1 AND status = 'awaiting_approval'`, [id])).rowCount);

  // and the case goes on to its decision
  await approver.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'SHORT_SHIP', adjustQty: -10 }).expect(200);
  expect(await handle.result()).toMatchObject({ status: 'closed', resolution: 'approved_adjusted' });
}, 60_000);

it('takes an approval made while the first notification is sent, and logs it after the request it answers', async () => {
  const { id, handle, approver, release } = await heldOpening();

  const approved = await approver.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'SHORT_SHIP', adjustQty: -10 });
  expect(approved.status).toBe(200);
  await release();

  expect(await handle.result()).toMatchObject({ status: 'closed', resolution: 'approved_adjusted' });
  const names = (await auditOf(id, 'closed')).map((r) => r.action);
  expect(names.indexOf('approval_requested')).toBeGreaterThan(-1);
  expect(names.indexOf('approved')).toBeGreaterThan(names.indexOf('approval_requested'));
  expect(names.indexOf('adjustment_posted')).toBeGreaterThan(names.indexOf('approved'));
  expect(names.filter((n) => n === 'adjustment_posted')).toHaveLength(1);
}, 60_000);
