import { DiscrepancyReport, workflowIdForKey } from '../../src/domain';
import { listAudit } from '../../src/store/audit-repo';
import { stateQuery } from '../../src/workflows/messages';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { receivingReport } from './support';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

it('a report naming only source events the case already has is a redelivery: recorded, not counted', async () => {
  const base = receivingReport(uniq('DC'), uniq('SKU'), uniq('ASN'), ['R-1']);
  const send = (sourceEventIds: string[]) => reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, { ...base, sourceEventIds });
  const workflowId = workflowIdForKey(DiscrepancyReport.parse(base));
  const handle = engine.client.workflow.getHandle(workflowId);
  const state = () => handle.query(stateQuery, {});

  await send(['R-1']);
  const opened = await waitForStatus(engine.client, workflowId, ['awaiting_approval']);
  expect(opened.occurrences).toBe(1);

  await send(['R-1']); // the first report again (a queue redelivery)
  await send(['R-2', 'R-1']); // one new source event: a new occurrence
  await send(['R-2']); // again
  await send([]); // nothing to recognise it by: counted
  const s = await eventually(async () => {
    const now = await state();
    return now.occurrences === 3 ? now : undefined;
  });
  expect(s.sourceEventIds).toEqual(['R-1', 'R-2']);

  const actions = await eventually(async () => {
    const rows = (await listAudit(engine.db, opened.caseId)).map((r) => r.action);
    // the audit log is written by the record activity, a transition or two behind the state
    const settled = rows.filter((a) => a === 'report_redelivered').length === 2 && rows.filter((a) => a === 'report_merged').length >= 2;
    return settled ? rows : undefined;
  });
  expect(actions.filter((a) => a === 'report_merged')).toHaveLength(2);
  const row = await eventually(async () => {
    const r = (await engine.db.query('SELECT occurrences FROM discrepancies WHERE id = $1', [opened.caseId])).rows[0];
    return r?.occurrences === 3 ? r : undefined;
  });
  expect(row.occurrences).toBe(3);
  expect((await state()).occurrences).toBe(3);
});
