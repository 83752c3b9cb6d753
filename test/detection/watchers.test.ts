import { defaultPayloadConverter } from '@temporalio/common';
import { LEAN_WAIT_PATCH } from '../../src/workflows/condition-or-deadline';
import { returnWatchId, receivingMatchId, transferWatchId, type WatchResult } from '../../src/workflows/watch-messages';
import type { Api } from '../support/api';
import { seedBalance } from '../support/cases';
import { eventually, uniq, type Engine } from '../support/engine';
import { casesAt, ev, postEvents, startDetection, waitForCases } from './support';

// the suite's policy: transferGrace 2s, returnDispositionWithin 3s, receivingDueAfter 3s
let engine: Engine;
let api: Api;
beforeAll(async () => {
  ({ engine, api } = await startDetection());
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function post(body: unknown) {
  const res = await postEvents(api, body);
  expect(res.status).toBe(200);
  return res.body;
}

async function watchResult(workflowId: string): Promise<WatchResult> {
  return engine.client.workflow.getHandle(workflowId).result();
}

/** What the Temporal UI shows for each timer the watcher started, in order. */
async function timerSummaries(workflowId: string): Promise<string[]> {
  const history = await engine.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : '(no summary)'));
}

describe('transferWatch', () => {
  it('opens transfer_delay at the destination when the receipt misses ETA plus grace, and tells the case when it comes late', async () => {
    const from = uniq('DC');
    const to = uniq('DC');
    const sku = uniq('SKU');
    const transferId = uniq('TR');
    const shipped = ev({ type: 'transfer_shipped', site: from, sku, location: 'OUT-1', qty: 12, reference: { kind: 'transfer', id: transferId }, attributes: { toSite: to, toLocation: 'IN-1', eta: inSeconds(-60) } });
    await post(shipped);
    await post(shipped); // redelivered: absorbed
    const [c] = await waitForCases(engine, to, 'transfer_delay');
    expect(c).toMatchObject({ sku, location: 'IN-1', source_event_ids: [shipped.eventId] });
    expect([Number(c.expected_qty), Number(c.observed_qty)]).toEqual([12, 0]);

    await post(ev({ type: 'transfer_received', site: to, sku, location: 'IN-1', qty: 12, reference: { kind: 'transfer', id: transferId } }));
    expect(await watchResult(transferWatchId(transferId))).toEqual({ outcome: 'late_then_arrived', caseIds: [c.id] });
    expect(await timerSummaries(transferWatchId(transferId))).toEqual([
      expect.stringMatching(new RegExp(`^transfer ${transferId}: receipt due by \\S+ \\(ETA \\+ grace\\)$`)),
      `transfer ${transferId}: late, watching for the receipt`,
    ]);
    expect(await casesAt(engine, to, 'transfer_delay')).toHaveLength(1);
    const timeline = await eventually(async () => {
      const { rows } = await engine.db.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'evidence_added'`, [c.id]);
      return rows.length ? rows : undefined;
    });
    expect(timeline[0].detail.text).toMatch(/received .* after its deadline/);
  });

  it('opens nothing when the receipt arrives in time', async () => {
    const from = uniq('DC');
    const to = uniq('DC');
    const sku = uniq('SKU');
    const transferId = uniq('TR');
    await post(ev({ type: 'transfer_shipped', site: from, sku, qty: 5, reference: { kind: 'transfer', id: transferId }, attributes: { toSite: to, eta: inSeconds(3600) } }));
    await post(ev({ type: 'transfer_received', site: to, sku, qty: 5, reference: { kind: 'transfer', id: transferId } }));
    expect(await watchResult(transferWatchId(transferId))).toEqual({ outcome: 'in_time', caseIds: [] });
    expect(await casesAt(engine, to)).toEqual([]);
    // the origin never held the 5 it shipped, so negative_inventory may rightly open a case there (after the outbox runs): not the watcher's
    expect(await casesAt(engine, from, 'transfer_delay')).toEqual([]);
  });
});

describe('a watch waiting on its deadline', () => {
  it('waits with fewer promises (its stack trace shows where), and a receipt in time cancels its timer unfired', async () => {
    const to = uniq('DC');
    const transferId = uniq('TR');
    const workflowId = transferWatchId(transferId);
    await post(ev({ type: 'transfer_shipped', site: uniq('DC'), sku: uniq('SKU'), qty: 5, reference: { kind: 'transfer', id: transferId }, attributes: { toSite: to, eta: inSeconds(3600) } }));
    // the Temporal UI's stack trace: the watch rests on its receipt's deadline
    const trace = await eventually(async () => {
      const t = await engine.client.workflow.getHandle(workflowId).query<string>('__stack_trace').catch(() => '');
      return t.includes('conditionOrDeadline') ? t : undefined;
    });
    expect(trace).toMatch(/at transferWatch \(\S*transfer-watch\.ts:/);
    expect(trace).toMatch(/at then \(\S*condition-or-deadline\.ts:/);

    await post(ev({ type: 'transfer_received', site: to, sku: uniq('SKU'), qty: 5, reference: { kind: 'transfer', id: transferId } }));
    expect(await watchResult(workflowId)).toEqual({ outcome: 'in_time', caseIds: [] });
    const events = (await engine.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const patches = events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((e) => defaultPayloadConverter.fromPayload<{ id: string }>(e.markerRecordedEventAttributes!.details!['patch-data'].payloads![0]).id);
    expect(patches).toEqual([LEAN_WAIT_PATCH]);
    expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(1);
    expect(events.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(1);
    expect(events.filter((e) => e.timerFiredEventAttributes)).toHaveLength(0);
  });
});

describe('transferWatch per line', () => {
  it('watches each line of a multi-line transfer: line 1 received in time does not satisfy line 2; a late event on a finished line starts nothing', async () => {
    const from = uniq('DC');
    const to = uniq('DC');
    const [sku1, sku2] = [uniq('SKU'), uniq('SKU')];
    const transferId = uniq('TR');
    const line = (n: string, sku: string, eta: string) => ({ site: from, sku, location: 'OUT-1', qty: 4, reference: { kind: 'transfer', id: transferId, line: n }, attributes: { toSite: to, toLocation: 'IN-1', eta } });
    // one shipment: line 1 due in an hour, line 2 overdue already
    const shipped1 = ev({ type: 'transfer_shipped', ...line('1', sku1, inSeconds(3600)) });
    await post(shipped1);
    await post(ev({ type: 'transfer_shipped', ...line('2', sku2, inSeconds(-60)) }));
    await post(ev({ type: 'transfer_received', site: to, sku: sku1, location: 'IN-1', qty: 4, reference: { kind: 'transfer', id: transferId, line: '1' } }));
    expect((await watchResult(transferWatchId(transferId, '1'))).outcome).toBe('in_time');
    const [late] = await waitForCases(engine, to, 'transfer_delay');
    expect(late).toMatchObject({ sku: sku2 });
    expect(await casesAt(engine, to, 'transfer_delay')).toHaveLength(1);

    // line 1 is finished: its shipment redelivered later does not start a fresh watch
    await post({ ...shipped1, eventId: uniq('E-AGAIN') });
    const runs: string[] = [];
    for await (const w of engine.client.workflow.list({ query: `WorkflowId = '${transferWatchId(transferId, '1')}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
  });
});

describe('returnWatch', () => {
  it('holds the returned stock and opens return_unposted when no disposition comes in time; a late disposition releases the hold', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const returnId = uniq('RMA');
    await seedBalance(engine.db, { site, location: 'RET-1', sku, wms: 0, erp: 0 });
    await post(ev({ type: 'return_received', site, sku, location: 'RET-1', qty: 4, reference: { kind: 'return', id: returnId } }));
    const [c] = await waitForCases(engine, site, 'return_unposted');
    expect(c).toMatchObject({ sku, location: 'RET-1' });
    const hold = await eventually(async () => (await engine.db.query('SELECT qty, released_at FROM ledger.holds WHERE case_id = $1', [c.id])).rows[0]);
    expect(Number(hold.qty)).toBe(4);
    const held = (await engine.db.query('SELECT held_qty FROM ledger.balances WHERE site = $1 AND sku = $2', [site, sku])).rows[0];
    expect(Number(held.held_qty)).toBe(4);
    // the hold is handed to the case before the watch waits for the disposition: a disposition
    // that came meanwhile is taken at once, with no timer; this one comes while the watch waits
    await eventually(async () => ((await timerSummaries(returnWatchId(site, returnId))).length === 2 ? true : undefined));

    await post(ev({ type: 'return_disposition', site, sku, location: 'RET-1', qty: 4, reference: { kind: 'return', id: returnId }, attributes: { disposition: 'restock' } }));
    expect(await watchResult(returnWatchId(site, returnId))).toMatchObject({ outcome: 'late_then_arrived' });
    expect(await timerSummaries(returnWatchId(site, returnId))).toEqual([
      expect.stringMatching(new RegExp(`^return ${returnId}: disposition due by \\S+$`)),
      `return ${returnId}: held, watching for the disposition`,
    ]);
    const released = (await engine.db.query('SELECT released_at FROM ledger.holds WHERE case_id = $1', [c.id])).rows[0];
    expect(released.released_at).not.toBeNull();
  });

  it('opens nothing and holds nothing when the disposition comes in time', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const returnId = uniq('RMA');
    await post({
      events: [
        ev({ type: 'return_received', site, sku, location: 'RET-1', qty: 4, reference: { kind: 'return', id: returnId } }),
        ev({ type: 'return_disposition', site, sku, location: 'RET-1', qty: 4, reference: { kind: 'return', id: returnId }, attributes: { disposition: 'scrap' } }),
      ],
    });
    expect(await watchResult(returnWatchId(site, returnId))).toEqual({ outcome: 'in_time', caseIds: [] });
    expect(await casesAt(engine, site)).toEqual([]);
    expect((await engine.db.query('SELECT 1 FROM ledger.holds WHERE site = $1', [site])).rowCount).toBe(0);
  });
});

describe('receivingMatch', () => {
  it('compares an ASN with its receipts when due: a short line becomes receiving_variance', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const asnId = uniq('ASN');
    await post({
      events: [
        ev({ type: 'asn', site, sku, qty: 100, reference: { kind: 'asn', id: asnId, line: '1' } }),
        ev({ type: 'receipt', site, sku, location: 'DOCK', qty: 70, reference: { kind: 'asn', id: asnId, line: '1' } }),
      ],
    });
    const result = await watchResult(receivingMatchId(site, 'asn', asnId));
    expect(result.outcome).toBe('compared');
    expect(await timerSummaries(receivingMatchId(site, 'asn', asnId))).toContainEqual(expect.stringMatching(new RegExp(`^asn ${asnId}: receipt due by \\S+$`)));
    expect(result.caseIds).toHaveLength(1);
    const [c] = await waitForCases(engine, site, 'receiving_variance');
    expect(c.id).toBe(result.caseIds[0]);
    expect([Number(c.expected_qty), Number(c.observed_qty)]).toEqual([100, 70]);
  });

  it('opens nothing when the receipts match, or when a receipt closes the document first', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const asnId = uniq('ASN');
    const po = uniq('PO');
    await post({
      events: [
        ev({ type: 'asn', site, sku, qty: 100, reference: { kind: 'asn', id: asnId } }),
        ev({ type: 'receipt', site, sku, location: 'DOCK', qty: 100, reference: { kind: 'asn', id: asnId }, attributes: { postedToErp: true } }),
        ev({ type: 'purchase_order', site, sku, qty: 50, reference: { kind: 'po', id: po }, attributes: { expectedAt: inSeconds(3600) } }),
        ev({ type: 'receipt', site, sku, location: 'DOCK', qty: 50, reference: { kind: 'po', id: po }, attributes: { closesDocument: true, postedToErp: true } }),
      ],
    });
    expect(await watchResult(receivingMatchId(site, 'asn', asnId))).toEqual({ outcome: 'compared', caseIds: [] });
    expect(await watchResult(receivingMatchId(site, 'po', po))).toEqual({ outcome: 'closed_by_receipt', caseIds: [] });
    expect(await casesAt(engine, site)).toEqual([]);
  });
});
