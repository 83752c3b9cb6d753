import type { QueryResultRow } from 'pg';
import { startApi, type Api, type Persona } from './api';
import { eventually, startEngine, type Engine } from './engine';

/** The WMS/ERP integration as the end-to-end tests report through it: every site. */
export const WMS_INTEGRATION: Persona = { userId: 'wms-integration', roles: ['integration'], sites: ['*'] };

export interface EngineWithApi {
  engine: Engine;
  api: Api;
  /** the case's read-model row once its status is one of `statuses` */
  caseRow(id: string, statuses?: string[]): Promise<QueryResultRow>;
}

/**
 * An engine (worker, Temporal client, database) and the HTTP API on it for one test file: started
 * before its tests, stopped after them. Fields are set once `beforeAll` has run.
 */
export function useEngineWithApi(opts: { liveFeed?: boolean } = {}): EngineWithApi {
  const e2e = {
    caseRow: (id: string, statuses = ['closed']) =>
      eventually(async () => {
        const r = (await e2e.engine.db.query('SELECT * FROM discrepancies WHERE id = $1', [id])).rows[0];
        return r && statuses.includes(r.status) ? r : undefined;
      }),
  } as EngineWithApi;
  beforeAll(async () => {
    e2e.engine = await startEngine({}, opts);
    e2e.api = await startApi(e2e.engine);
  });
  afterAll(async () => {
    await e2e.api?.stop();
    await e2e.engine?.stop();
  });
  return e2e;
}
