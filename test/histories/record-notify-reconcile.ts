/**
 * Records the histories of the notification delivery and WMS/ERP reconciliation workflows for
 * the replay test (run by `npm run record-histories` with the others).
 */
import { recordSend } from '../../src/store/notification-sends';
import { NOTIFICATION_DELIVERY_TYPE, notificationDeliveryId } from '../../src/workflows/notify-messages';
import { startEngine, uniq, type Engine } from '../support/engine';
import { saveHistory } from './save-history';

let engine: Engine;
beforeAll(async () => {
  // no channel settings: a webhook send is refused at once and ends dead
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

const save = (name: string, workflowId: string) => saveHistory(engine, name, workflowId);

it('records a notification delivery that cannot be sent and ends dead', async () => {
  const sendId = uniq('send');
  await recordSend(engine.db, {
    id: sendId, idempotencyKey: uniq('key'), caseId: uniq('case'), role: 'ops_manager', site: 'DC-REC', channel: 'webhook',
    recipient: 'webhook', subject: 'recorded', payload: { caseId: 'x' }, maxAttempts: 2,
  });
  const workflowId = notificationDeliveryId(sendId);
  await engine.client.workflow.start(NOTIFICATION_DELIVERY_TYPE, {
    workflowId, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, args: [{ sendId, attempts: 2, retryInitialMs: 100, retryMaxMs: 200 }],
  });
  await save('notification-delivery-dead', workflowId);
});

it('records a WMS/ERP reconciliation of a small site with one difference', async () => {
  const site = uniq('RC-REC');
  await engine.db.query(
    `INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty)
     SELECT $1, 'A-01', 'R-' || lpad(n::text, 3, '0'), CASE WHEN n = 7 THEN 90 ELSE 10 END, 10 FROM generate_series(1, 30) n`,
    [site],
  );
  const workflowId = `wms-erp-reconcile-${site}`;
  await engine.client.workflow.start('wmsErpReconcile', { workflowId, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, args: [{ site }] });
  await save('wms-erp-reconcile', workflowId);
});
