import type { Pool } from 'pg';
import type { WmsPort } from '../../src/adapters/ports';
import { postAdjustment } from './adjustments';
import { createCountTask } from './count-tasks';
import { placeHold, releaseHold } from './holds';
import { stockSnapshot } from './snapshots';
import { getWmsBalance, listAdjustments, listCountHistory, listReturnsPending, listTransactions } from './wms-reads';

export function createReferenceWms(pool: Pool, onAdjustmentCommitted?: (adjustmentId: string) => void): WmsPort {
  return {
    getBalance: (key) => getWmsBalance(pool, key),
    listTransactions: (key, since) => listTransactions(pool, key, since),
    listAdjustments: (key, since) => listAdjustments(pool, key, since),
    listCountHistory: (key, since) => listCountHistory(pool, key, since),
    listReturnsPending: (key) => listReturnsPending(pool, key),
    createCountTask: (cmd) => createCountTask(pool, cmd),
    placeHold: (cmd) => placeHold(pool, cmd),
    releaseHold: (cmd) => releaseHold(pool, cmd),
    postAdjustment: (cmd) => postAdjustment(pool, cmd, onAdjustmentCommitted),
    stockSnapshot: (q) => stockSnapshot(pool, 'wms', q),
  };
}
