import type { Client } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { IntakePorts } from '../ingest/event-intake';
import type { Logger } from '../logger';
import type { IntakeGate } from './intake-gate';
import type { BroadSearchMemo } from '../web/broad-searches';

/** How long the API waits on each dependency before answering without it. */
export interface ApiTimeouts {
  /** the live state query in GET /v1/discrepancies/{id}; the row is returned either way */
  liveQueryMs: number;
  /** an approver action (a Temporal update) end to end */
  updateMs: number;
  /** signalWithStart, signals */
  signalMs: number;
  /** each probe of /readyz */
  readinessMs: number;
  /** how long a resolved API key is trusted before it is looked up again */
  keyCacheMs: number;
  /** how often an open live-feed stream re-checks its key: a revoked or expired key's stream ends */
  streamKeyCheckMs: number;
  /**
   * how long an Idempotency-Key's claim lives unless the request holding it renews it: the keys
   * of a replica that died mid-request are free again after this
   */
  idempotencyLeaseMs: number;
}

export const DEFAULT_TIMEOUTS: ApiTimeouts = {
  liveQueryMs: 2000,
  updateMs: 30_000,
  signalMs: 10_000,
  readinessMs: 1500,
  keyCacheMs: 5000,
  streamKeyCheckMs: 15_000,
  idempotencyLeaseMs: 10_000,
};

export interface ApiDeps {
  temporal: Client;
  db: Pool;
  redis: Redis;
  config: Config;
  logger?: Logger;
  timeouts?: Partial<ApiTimeouts>;
  /** the WMS/ERP as the event intake asks them about what it sees first (the composition root wires them) */
  intakePorts?: IntakePorts;
}

/** Dependencies as the routes see them: every option resolved. */
export interface ApiContext {
  temporal: Client;
  db: Pool;
  redis: Redis;
  config: Config;
  logger: Logger;
  timeouts: ApiTimeouts;
  intakePorts: IntakePorts;
  /** back-pressure of POST /v1/discrepancies in this process */
  reportIntake: IntakeGate;
  /** inbox searches lately found too broad to count, in this process */
  broadSearches: BroadSearchMemo;
}
