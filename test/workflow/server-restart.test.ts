import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, startDevServer, waitForPort } from '../../src/dev/temporal-server';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { stateQuery } from '../../src/workflows/messages';

/** A dev server of this test's own, persisting to SQLite, so it can be stopped and started. */
async function serve(cli: string, port: number, dbFile: string): Promise<ChildProcess> {
  const server = startDevServer({ cli, port, dbFile });
  await waitForPort(port, 60_000);
  return server;
}

async function kill(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const gone = new Promise((r) => server.once('exit', r));
  server.kill('SIGKILL');
  await gone;
}

let server: ChildProcess | undefined;
let engine: Engine | undefined;
afterAll(async () => {
  await engine?.stop();
  if (server) await kill(server);
});

it('the Temporal server restarted mid-case: the case resumes and its SLA timers still fire', async () => {
  const cli = process.env.TEMPORAL_CLI!;
  const port = await freePort();
  const dbFile = join(mkdtempSync(join(tmpdir(), 'reckon-restart-')), 'temporal.db');
  server = await serve(cli, port, dbFile);
  engine = await startEngine({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` });

  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site: uniq('S'), sku: uniq('SKU'), location: 'DOCK-2', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 100, observedQty: 40, unitCost: 60, skuClass: 'B', source: 'erp',
  });
  const waiting = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(waiting.escalationLevel).toBe(0);

  // the server goes away hard while the first rung's SLA timer is pending, and comes back
  await kill(server);
  await new Promise((r) => setTimeout(r, 1500));
  server = await serve(cli, port, dbFile);

  // both rungs' SLA timers fire after the restart; the terminal hold_and_page leaves it to ops_manager
  const final = await eventually(async () => {
    const s = await engine!.client.workflow.getHandle(handle.workflowId).query(stateQuery, {});
    return s.escalationLevel === 2 && s.hold !== undefined ? s : undefined;
  }, 90_000);
  expect(final.caseId).toBe(waiting.caseId);
  expect(final).toMatchObject({ status: 'awaiting_approval', ownerRole: 'ops_manager', breached: true });
  // the trail follows the state by one transition: the terminal action's record carries the second breach
  const breaches = await eventually(async () => {
    const r = await engine!.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1 AND action IN ('sla_breached', 'terminal_action')`, [final.caseId]);
    return r.rows[0].n >= 3 ? r : undefined;
  }, 30_000);
  const only = await engine.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1 AND action = 'sla_breached'`, [final.caseId]);
  expect(only.rows[0].n).toBe(2);
  expect(breaches.rows[0].n).toBe(3);
});
