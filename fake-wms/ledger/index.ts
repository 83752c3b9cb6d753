import type { Pool } from 'pg';
import type { ErpPort, MasterDataPort, NotifierPort, WmsPort } from '../../src/adapters/ports';
import { createReferenceMasterData } from './master-data';
import { createReferenceErp } from './erp';
import { createReferenceNotifier } from './notifier';
import { createReferenceWms } from './wms';

export interface ReferenceLedgerOptions {
  /** called right after an adjustment commits (never on a replay): the crash test's seam */
  onAdjustmentCommitted?: (adjustmentId: string) => void;
}

export interface ReferenceLedger {
  wms: WmsPort;
  erp: ErpPort;
  notifier: NotifierPort;
  masterData: MasterDataPort;
}

/** The reference ledger (Postgres schema `ledger`) behind the WMS, ERP and notifier ports. */
export function createReferenceLedger(pool: Pool, opts: ReferenceLedgerOptions = {}): ReferenceLedger {
  return {
    wms: createReferenceWms(pool, opts.onAdjustmentCommitted),
    erp: createReferenceErp(pool),
    notifier: createReferenceNotifier(pool),
    masterData: createReferenceMasterData(pool),
  };
}

export { recordCountResult, getCountTask, type CountTask, type CountResult, type CountResultInput } from './count-tasks';
export { CountTaskAlreadyDone, CountTaskNotFound, HoldNotFound, LedgerCommandInvalid } from './errors';
export { listNotifications, type StoredNotification } from './notifier';
export { listBalances, type LedgerBalance } from './balances';
export { parseFixture, loadFixture, FixtureInvalid, type LedgerFixture, type FixtureLoadSummary } from './fixture';
export { followEvent } from './apply-event';
