import { InventoryEvent } from '../../src/domain';
import { acceptEvent } from '../../src/ingest/event-intake';
import { recordEvent } from '../../src/ingest/record-event';
import { IntakeSweeper } from '../../src/ingest/sweeper';
import { getActivePolicy } from '../../src/store/policy-repo';
import { storeEvent } from '../support/store-event';
import { intakePortsFor, type Api } from '../support/api';
import { seedBalance } from '../support/cases';
import { eventually, uniq, type Engine } from '../support/engine';
import { casesAt, ev, postEvents, seedItem, startDetection, waitForCases } from './support';

let engine: Engine;
let api: Api;
beforeAll(async () => {
  ({ engine, api } = await startDetection());
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

describe('POST /v1/events', () => {
  it('a count beyond tolerance opens a count_variance case; the redelivered event is a duplicate and adds no case', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    await seedItem(engine, sku, 10, 'B');
    await seedBalance(engine.db, { site, location: 'A-01-01', sku, wms: 100, erp: 100 });
    const count = ev({ type: 'count', site, sku, location: 'A-01-01', qty: 80, actor: { userId: 'counter7' } });
    const first = await postEvents(api, count);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'accepted', source: 'wms', eventId: count.eventId });
    expect(first.body.cases).toHaveLength(1);
    const [c] = await waitForCases(engine, site, 'count_variance');
    expect(c).toMatchObject({ id: first.body.cases[0], sku, location: 'A-01-01', source_event_ids: [count.eventId] });
    expect(Number(c.expected_qty)).toBe(100);
    expect(Number(c.observed_qty)).toBe(80);

    const again = await postEvents(api, count);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', cases: first.body.cases });
    const rows = await casesAt(engine, site);
    expect(rows).toHaveLength(1);
    expect(rows[0].occurrences).toBe(1);
  });
});

describe('event ids are per site', () => {
  it('a site-A key cannot pre-claim site B’s event ids: B’s event is accepted, and no answer names the other site’s case', async () => {
    const [siteA, siteB] = [uniq('DCA'), uniq('DCB')];
    const sku = uniq('SKU');
    await seedItem(engine, sku, 10, 'B');
    for (const site of [siteA, siteB]) await seedBalance(engine.db, { site, location: 'A-01-01', sku, wms: 100, erp: 100 });
    const keyA = { userId: 'wms-a', roles: ['integration'], sites: [siteA] };
    const keyB = { userId: 'wms-b', roles: ['integration'], sites: [siteB] };
    const eventId = `CNT-${uniq('X')}`;
    // site A's key claims the id first
    const a = await postEvents(api, ev({ eventId, type: 'count', site: siteA, sku, location: 'A-01-01', qty: 80, actor: { userId: 'counter-a' } }), keyA);
    expect(a.body).toMatchObject({ status: 'accepted', cases: [expect.any(String)] });
    // site B's real event with the same source and id is not dropped as a duplicate
    const b = await postEvents(api, ev({ eventId, type: 'count', site: siteB, sku, location: 'A-01-01', qty: 70, actor: { userId: 'counter-b' } }), keyB);
    expect(b.body).toMatchObject({ status: 'accepted', cases: [expect.any(String)] });
    expect(b.body.cases).not.toEqual(a.body.cases);
    const [caseB] = await waitForCases(engine, siteB, 'count_variance');
    expect(caseB).toMatchObject({ id: b.body.cases[0], source_event_ids: [eventId] });
    expect(Number(caseB.observed_qty)).toBe(70);
    // redelivered, each answers with its own site's case only
    expect((await postEvents(api, ev({ eventId, type: 'count', site: siteA, sku, location: 'A-01-01', qty: 80 }), keyA)).body).toMatchObject({ status: 'duplicate', cases: a.body.cases });
    expect((await postEvents(api, ev({ eventId, type: 'count', site: siteB, sku, location: 'A-01-01', qty: 70 }), keyB)).body).toMatchObject({ status: 'duplicate', cases: b.body.cases });
    const stored = await engine.db.query('SELECT site FROM inventory_events WHERE event_id = $1 ORDER BY site', [eventId]);
    expect(stored.rows.map((r) => r.site)).toEqual([siteA, siteB].sort());
  });
});

describe('batches', () => {
  it('answers per item: accepted, duplicate, invalid with its fields, forbidden outside the key’s sites', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const good = ev({ type: 'receipt', site, sku, location: 'A-01', qty: 5, attributes: { postedToErp: true } });
    const res = await postEvents(api, {
      events: [
        good,
        good,
        { ...ev({ type: 'pick', site, sku, location: 'A-01' }), qty: undefined, colour: 'red' },
        ev({ type: 'receipt', site: 'ELSEWHERE', sku, qty: 1 }),
      ],
    }, { userId: 'scoped-feed', roles: ['integration'], sites: [site] });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ accepted: 1, duplicate: 1, invalid: 1, forbidden: 1 });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'duplicate', 'invalid', 'forbidden']);
    expect(res.body.results[2].errors).toEqual(expect.arrayContaining([{ path: 'colour', message: 'unknown field' }, { path: 'qty', message: 'required for pick' }]));
    expect(res.body.results[3].errors).toEqual([{ path: 'site', message: expect.stringMatching(/ELSEWHERE/) }]);
    const stored = await engine.db.query('SELECT count(*)::int AS n FROM inventory_events WHERE site = $1', [site]);
    expect(stored.rows[0].n).toBe(1);
  });

  it('refuses a body that is not a batch or an event, naming the fields (400), and callers without the role (403)', async () => {
    const tooMany = { events: Array.from({ length: 1001 }, () => ({})) };
    for (const body of [{ events: [] }, { events: 'x' }, tooMany, { events: [{}], extra: 1 }]) {
      const res = await postEvents(api, body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const single = await postEvents(api, { type: 'pick', site: 'DC1' });
    expect(single.status).toBe(400);
    expect(single.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.eventId', 'body.source', 'body.occurredAt']));
    const viewer = await postEvents(api, ev({ type: 'count', site: 'DC1', sku: 'S', qty: 1 }), { userId: 'v', roles: ['viewer'], sites: ['*'] });
    expect(viewer.status).toBe(403);
    const scoped = await postEvents(api, ev({ type: 'count', site: 'DC-OTHER', sku: 'S', qty: 1 }), { userId: 's', roles: ['integration'], sites: ['DC1'] });
    expect(scoped.status).toBe(403);
  });

  it('a redelivered batch adds zero cases, and the same event twice in a batch counts once', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    await seedBalance(engine.db, { site, location: 'B-01', sku, wms: 1, erp: 1 });
    const pick = ev({ type: 'pick', site, sku, location: 'B-01', qty: 4 });
    const count = ev({ type: 'count', site, sku, location: 'C-01', qty: 500 });
    const batch = { events: [pick, count, pick] };
    const first = await postEvents(api, batch);
    expect(first.body.summary).toMatchObject({ accepted: 2, duplicate: 1 });
    await waitForCases(engine, site, 'negative_inventory');
    await waitForCases(engine, site, 'count_variance');
    const again = await postEvents(api, batch);
    expect(again.body.summary).toMatchObject({ accepted: 0, duplicate: 3 });
    expect(again.body.results[0].cases).toEqual(first.body.results[0].cases);
    expect(await casesAt(engine, site)).toHaveLength(2);
    const ledger = await engine.db.query('SELECT wms_qty FROM ledger.balances WHERE site = $1 AND location = $2', [site, 'B-01']);
    expect(Number(ledger.rows[0].wms_qty)).toBe(-3);
  });
});

describe('the reference ledger and durability', () => {
  it('applies receipts, putaways, moves, picks and counts to the ledger once each', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const events = [
      ev({ type: 'receipt', site, sku, location: 'DOCK', qty: 20 }),
      ev({ type: 'putaway', site, sku, location: 'A-01', qty: 20, attributes: { fromLocation: 'DOCK' } }),
      ev({ type: 'move', site, sku, location: 'A-01', qty: 5, attributes: { toLocation: 'A-02' } }),
      ev({ type: 'pick', site, sku, location: 'A-02', qty: 2, attributes: { postedToErp: true } }),
      ev({ type: 'count', site, sku, location: 'A-01', qty: 15, actor: { userId: 'c9' } }),
    ];
    await postEvents(api, { events });
    await postEvents(api, { events });
    const { rows } = await engine.db.query('SELECT location, wms_qty, erp_qty FROM ledger.balances WHERE site = $1 AND sku = $2 ORDER BY location', [site, sku]);
    expect(rows.map((r) => [r.location, Number(r.wms_qty), Number(r.erp_qty)])).toEqual([
      ['A-01', 15, 15],
      ['A-02', 3, 3],
      ['DOCK', 0, -20],
    ]);
    const tx = await engine.db.query('SELECT count(*)::int AS n FROM ledger.transactions WHERE site = $1', [site]);
    expect(tx.rows[0].n).toBe(6);
    const counts = await engine.db.query('SELECT counted_qty, counted_by FROM ledger.counts WHERE site = $1', [site]);
    expect(counts.rows).toEqual([{ counted_qty: '15', counted_by: 'c9' }]);
  });

  it('an event stored without reaching Temporal is finished by its redelivery, and the case records its detection latency', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    await seedBalance(engine.db, { site, location: 'A-01', sku, wms: 100, erp: 100 });
    const count = InventoryEvent.parse(ev({ type: 'count', site, sku, location: 'A-01', qty: 10 }));
    // phase one only (a crash between storing and dispatching): stored and detected, no case yet
    expect(await storeEvent(engine.db, count)).toMatchObject({ status: 'accepted', processed: false });
    expect(await casesAt(engine, site)).toEqual([]);
    const redelivered = await postEvents(api, count);
    expect(redelivered.body).toMatchObject({ status: 'duplicate', cases: [expect.any(String)] });
    const [c] = await waitForCases(engine, site, 'count_variance');
    const latency = await eventually(async () => (await engine.db.query('SELECT * FROM case_detection_latency WHERE case_id = $1', [c.id])).rows[0]);
    expect(latency).toMatchObject({ detector: 'count_variance', detector_version: '1', event_id: count.eventId });
    expect(Number(latency.detection_latency_ms)).toBeGreaterThanOrEqual(0);
    const again = await postEvents(api, count);
    expect(again.body.cases).toEqual([c.id]);
    expect(await casesAt(engine, site)).toHaveLength(1);
  });

  it('an event stored but never dispatched, and never redelivered, is finished by the sweeper: its case opens and its watcher starts', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const policy = (await getActivePolicy(engine.db)).document;
    // a pick from an empty bin (negative inventory) and a transfer shipment (starts a watcher), both left after phase one
    const pick = InventoryEvent.parse(ev({ type: 'pick', site, sku, location: 'Z-01', qty: 3 }));
    const transferId = uniq('TR');
    const shipped = InventoryEvent.parse(ev({ type: 'transfer_shipped', site, sku, location: 'Z-02', qty: 1, reference: { kind: 'transfer', id: transferId }, attributes: { toSite: uniq('DC'), eta: new Date(Date.now() + 3_600_000).toISOString() } }));
    for (const e of [pick, shipped]) await recordEvent(engine.db, e, { policy, stockSource: 'events' });
    const unprocessed = async () => (await engine.db.query('SELECT count(*)::int AS n FROM inventory_events WHERE site = $1 AND processed_at IS NULL', [site])).rows[0].n;
    expect(await unprocessed()).toBe(2);

    // the sweeper takes the oldest first, and other tests leave phase-one events in this database:
    // age these two past all of them, and sweep two at a time so no other test's event is touched
    await engine.db.query("UPDATE inventory_events SET received_at = received_at - interval '30 years' WHERE site = $1", [site]);
    const sweeper = new IntakeSweeper({ db: engine.db, temporal: engine.client, config: engine.config, ...intakePortsFor(engine) }, { everyMs: 60_000, afterMs: 0, batch: 2 });
    expect(await sweeper.sweepOnce()).toBe(2);
    expect(await unprocessed()).toBe(0);
    // the shipment from the empty Z-02 goes negative too: the pick's case is the one at Z-01
    const c = (await waitForCases(engine, site, 'negative_inventory', 2)).find((r) => r.location === 'Z-01');
    expect(c).toMatchObject({ sku, location: 'Z-01', source_event_ids: [pick.eventId] });
    const { transferWatchId } = await import('../../src/workflows/watch-messages');
    const watch = await engine.client.workflow.getHandle(transferWatchId(transferId)).describe();
    expect(watch.status.name).toBe('RUNNING');
    // the event's redelivery opens nothing new (no second sweep: with nothing of this site left it
    // would claim other tests' stored events)
    // the never-stocked bin's pick is also a mis-scan: two cases from one event
    const opened = await waitForCases(engine, site, 'mis_scan');
    const redelivered = await postEvents(api, pick);
    expect(redelivered.body.status).toBe('duplicate');
    expect([...redelivered.body.cases].sort()).toEqual([c!.id, opened[0].id].sort());
    // (the shipment from the empty Z-02 went negative too: a case of its own)
    expect((await casesAt(engine, site)).filter((r) => r.location === 'Z-01')).toHaveLength(2);
  });
});

describe('the sweeper after an outage', () => {
  it('finishes a backlog as one batch, and when one event fails finishes the others and leaves that one for the next sweep', async () => {
    const site = uniq('DC');
    const policy = (await getActivePolicy(engine.db)).document;
    // picks from empty bins: each opens a negative-inventory case
    const picks = [1, 2, 3, 4].map((i) => InventoryEvent.parse(ev({ type: 'pick', site, sku: uniq('SKU'), location: `S-0${i}`, qty: 2 })));
    for (const e of picks) await recordEvent(engine.db, e, { policy, stockSource: 'events' });
    await engine.db.query("UPDATE inventory_events SET received_at = received_at - interval '40 years' WHERE site = $1", [site]);
    const unprocessed = async () => (await engine.db.query('SELECT event_id FROM inventory_events WHERE site = $1 AND processed_at IS NULL ORDER BY event_id', [site])).rows.map((r) => r.event_id);

    // the fake WMS cannot follow one of them (a feed that is down for that event)
    const ports = intakePortsFor(engine);
    const stuck = picks[2].eventId;
    let feedDown = true;
    const mirror = async (e: InventoryEvent) => {
      if (feedDown && e.eventId === stuck) throw new Error('the WMS feed refused this event');
      await ports.mirror?.(e);
    };
    const sweeper = new IntakeSweeper({ db: engine.db, temporal: engine.client, config: engine.config, ...ports, mirror }, { everyMs: 60_000, afterMs: 0, batch: 4 });
    expect(await sweeper.sweepOnce()).toBe(3);
    expect(await unprocessed()).toEqual([stuck]);
    const cases = await waitForCases(engine, site, 'negative_inventory', 3);
    expect(cases.map((c) => c.location).sort()).toEqual(['S-01', 'S-02', 'S-04']);

    // the next sweep, once the claim has lapsed, finishes it; nothing opens twice (one event a
    // sweep: the oldest is this one, and no other test's stored event is touched)
    feedDown = false;
    await engine.db.query("UPDATE inventory_events SET dispatch_claimed_at = NULL WHERE site = $1", [site]);
    const next = new IntakeSweeper({ db: engine.db, temporal: engine.client, config: engine.config, ...ports, mirror }, { everyMs: 60_000, afterMs: 0, batch: 1 });
    expect(await next.sweepOnce()).toBe(1);
    expect(await unprocessed()).toEqual([]);
    const all = await waitForCases(engine, site, 'negative_inventory', 4);
    expect(all.map((c) => c.location).sort()).toEqual(['S-01', 'S-02', 'S-03', 'S-04']);
  });
});

describe('sites without the reference ledger', () => {
  it('detectors work from event-derived balances and the ledger is left alone', async () => {
    const site = uniq('DC');
    const sku = uniq('SKU');
    const intake = { db: engine.db, temporal: engine.client, config: { ...engine.config, ADAPTER: 'http' as const } };
    const receipt = InventoryEvent.parse(ev({ type: 'receipt', site, sku, location: 'A-01', qty: 50, attributes: { postedToErp: true } }));
    expect(await acceptEvent(intake, receipt)).toMatchObject({ status: 'accepted', cases: [] });
    const count = await acceptEvent(intake, InventoryEvent.parse(ev({ type: 'count', site, sku, location: 'A-01', qty: 20 })));
    expect(count).toMatchObject({ status: 'accepted', cases: [expect.any(String)] });
    const [c] = await waitForCases(engine, site, 'count_variance');
    expect([Number(c.expected_qty), Number(c.observed_qty)]).toEqual([50, 20]);
    expect((await engine.db.query('SELECT 1 FROM ledger.balances WHERE site = $1', [site])).rowCount).toBe(0);
    const derived = await engine.db.query('SELECT wms_qty, erp_qty FROM features.stock WHERE site = $1 AND sku = $2', [site, sku]);
    expect(derived.rows).toEqual([{ wms_qty: '50', erp_qty: '50' }]);
  });
});

describe('input Postgres cannot store', () => {
  it('a NUL character is a 422 for a single event and an invalid item in a batch, never a 500', async () => {
    const site = uniq('DC');
    const bad = ev({ type: 'count', site, sku: 'S\u0000X', location: 'A-01', qty: 1 });
    const single = await postEvents(api, bad);
    expect(single.status).toBe(422);
    const batch = await postEvents(api, { events: [bad, ev({ type: 'count', site, sku: 'S-OK', location: 'A-01', qty: 0 })] });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual(['invalid', 'accepted']);
  });
});
