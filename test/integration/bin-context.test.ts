import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ActivityDeps } from '../../src/activities/deps';
import { createScoringActivities } from '../../src/activities/scoring';
import { loadConfig } from '../../src/config';
import { countVarianceSeries, insertCountResult } from '../../src/store/count-results-repo';
import { createPool } from '../../src/store/db';
import { insertCase } from '../api/support';

/**
 * The scoring activity reads recent evidence at the case's bin and holds back an automatic
 * adjustment when there is some (decide.ts): another open case, a pattern case, a count beyond
 * tolerance that is not the case's own.
 */
let db: Pool;
let scoring: ReturnType<typeof createScoringActivities>;
beforeAll(() => {
  db = createPool(loadConfig().DATABASE_URL, 4);
  scoring = createScoringActivities({ db, evidenceLookbackDays: 30 } as unknown as ActivityDeps);
});
afterAll(() => db.end());

const site = `BC-${randomUUID().slice(0, 6)}`;
const input = (caseId: string, location: string, sourceEventIds: string[] = []) => ({
  kind: 'count_variance' as const,
  expectedQty: 40,
  observedQty: 39,
  unitCost: 1,
  sourceEventIds,
  recounts: [],
  evidence: { missing: [] },
  scorer: 'rules-v1' as const,
  caseId,
  site,
  sku: 'SKU-1',
  location,
});
const count = (id: string, location: string, within: boolean) =>
  insertCountResult(db, { id, origin: 'event', site, location, sku: 'SKU-1', skuClass: 'C', unitCost: 1, systemQty: 40, countedQty: within ? 39 : 20, withinTolerance: within, countedAt: new Date().toISOString() });

it('a quiet bin: the score carries no hold-back, and the case’s own opening count does not count against it', async () => {
  await count('event:wms:E-OWN', 'Q-01', false);
  await count('event:wms:E-SMALL', 'Q-01', true);
  const s = await scoring.scoreCase(input(randomUUID(), 'Q-01', ['E-OWN']));
  expect(s.holdBack).toBeUndefined();
  expect(s.candidateRule).toBe('count_within_tolerance');
});

it('another open case, a pattern case or a count beyond tolerance at the bin hold the adjustment back, and say so', async () => {
  await insertCase(db, { status: 'awaiting_approval', report: { site, location: 'H-01', sku: 'SKU-9' } });
  expect((await scoring.scoreCase(input(randomUUID(), 'H-01'))).holdBack).toBe(
    'not adjusted automatically: the bin has 1 other open case in the last 14 days, so this variance may be part of something bigger',
  );
  await insertCase(db, { status: 'closed', resolution: 'approved_adjusted', report: { site, location: 'H-02', kind: 'mis_scan' } });
  expect((await scoring.scoreCase(input(randomUUID(), 'H-02'))).holdBack).toMatch(/the bin has 1 pattern case in the last 14 days/);
  await count('event:wms:E-BIG', 'H-03', false);
  expect((await scoring.scoreCase(input(randomUUID(), 'H-03', ['E-OTHER']))).holdBack).toMatch(/the bin has 1 count beyond tolerance in the last 14 days/);
});

it('the drift series of a bin starts afresh after a drift case there closed', async () => {
  await count('event:wms:D-OLD', 'D-01', true);
  // closedAt is the client's clock in whole milliseconds and recorded_at Postgres's in microseconds:
  // within one millisecond the close could read as earlier than the count it settles
  await new Promise((r) => setTimeout(r, 20));
  await insertCase(db, { status: 'closed', resolution: 'approved_adjusted', closedAt: new Date().toISOString(), report: { site, location: 'D-01', sku: 'SKU-1', kind: 'drift', expectedQty: 0, observedQty: 5 } });
  await new Promise((r) => setTimeout(r, 20));
  await count('event:wms:D-NEW', 'D-01', true);
  const series = await countVarianceSeries(db, { site, location: 'D-01', sku: 'SKU-1' }, new Date(Date.now() - 86_400_000));
  expect(series).toHaveLength(1);
});
