import type { Api } from '../support/api';
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
