import type { Pool } from 'pg';
import { loadFixture, parseFixture } from '../wiring/fake-wms';
import type { ShadowAgreementFigure, SimClient } from './client';
import { drive, simTimeline, type RunRecord } from './driver';
import { generate, type Simulation } from './generator';
import type { NightPlanner } from './night-planner';
import { simulationPolicy, type ScorerName } from './policy';
import type { ProgressBar } from './progress';
import { computeScorecard, type Scorecard } from './scorecard';
import type { Warehouse, WarehouseShape } from './warehouse';

export interface RunOptions {
  seed: number;
  days: number;
  /** simulated start, ms (midnight UTC) */
  start: number;
  shape: WarehouseShape;
  faultsPerSiteDay: number;
  miscountRate?: number;
  /** share of the nightly planned counts the crew miscounts */
  nightMiscountRate?: number;
  /** share of picks where the picker cannot find stock that is there */
  cantFindRate?: number;
  /** simulated time runs this many times faster than real time */
  speed: number;
  /** post the simulation policy (needs an admin key); false keeps the engine's active policy */
  postPolicy: boolean;
  /** the scorer the posted policy selects */
  scorer?: ScorerName;
  progress?: ProgressBar;
  log?: (msg: string) => void;
  settleTimeoutMs?: number;
  /** runs the cycle-count planner each simulated night (absent: no planned counts) */
  planner?: NightPlanner;
  /** simulated approvers decide cases per ground truth during the run */
  approve?: boolean;
  approvers?: SimClient[];
  /** sites in shadow mode: Reckon records what it would do, a simulated controller corrects the WMS */
  shadowSites?: string[];
}

export interface RunResult {
  sim: Simulation;
  record: RunRecord;
  scorecard: Scorecard;
  policyVersion: number | null;
  /** GET /v1/kpis → shadowAgreement for the shadow sites at the end of the run; null without shadow mode */
  shadowAgreement: ShadowAgreementFigure[] | null;
}

/** The master data a reference ledger needs for the run: items with class and cost, bins with zones. */
export function masterData(w: Warehouse) {
  return {
    description: 'simulator master data',
    items: w.skus.map((k) => ({ sku: k.sku, skuClass: k.skuClass, unitCost: k.unitCost })),
    locations: w.sites.flatMap((s) => [
      { site: s.site, location: s.dock, zone: 'RCV' },
      { site: s.site, location: s.returnsBin, zone: 'RET' },
      ...[...s.binsByZone.entries()].flatMap(([zone, bins]) => bins.map((location) => ({ site: s.site, location, zone }))),
    ]),
  };
}

/**
 * One run: generate, set the policy up, load master data when the engine's database is at
 * hand (else every event carries the sku's cost and class), play the stream, score it.
 */
export async function runSimulation(client: SimClient, opts: RunOptions, engineDb?: Pool): Promise<RunResult> {
  const sim = generate({ seed: opts.seed, days: opts.days, start: opts.start, shape: opts.shape, faultsPerSiteDay: opts.faultsPerSiteDay, miscountRate: opts.miscountRate, cantFindRate: opts.cantFindRate });
  let policyVersion: number | null = null;
  if (opts.postPolicy) policyVersion = (await client.postPolicy(simulationPolicy(opts.speed, opts.scorer, opts.shadowSites))).version;
  if (engineDb) await loadFixture(engineDb, parseFixture(masterData(sim.warehouse)));
  const record = await drive(client, sim, { speed: opts.speed, progress: opts.progress, log: opts.log, settleTimeoutMs: opts.settleTimeoutMs, planner: opts.planner, approve: opts.approve, approvers: opts.approvers, nightMiscountRate: opts.nightMiscountRate, seed: opts.seed, shadowCrew: (opts.shadowSites ?? []).length > 0 });
  const scorecard = computeScorecard({
    faults: sim.faults,
    books: sim.books,
    cases: record.cases,
    autoResolved: record.autoResolved,
    details: record.details,
    incidents: record.incidents,
    simOf: simTimeline(record.timeline, record.speed),
  });
  const shadowSites = opts.shadowSites ?? [];
  const shadowAgreement = shadowSites.length ? (await client.kpis(shadowSites)).shadowAgreement : null;
  return { sim, record, scorecard, policyVersion, shadowAgreement };
}
