import type { StockKey, WmsPort } from '../ports';
import {
  AdjustmentPosted,
  AdjustmentsResponse,
  BalanceResponse,
  CountsResponse,
  CountTaskCreated,
  HoldPlaced,
  HoldReleased,
  PATHS,
  ReturnsResponse,
  SnapshotResponse,
  TransactionsResponse,
} from './contract';
import type { Remote } from './remote';

const P = PATHS.wms;

export function stockQuery(key: StockKey): Record<string, string | undefined> {
  return { site: key.site, sku: key.sku, location: key.location };
}

/** The WMS side of the contract (docs/adapters.md). Writes send the command's key as Idempotency-Key. */
export function createHttpWms(remote: Remote): WmsPort {
  const get = (path: string, query: Record<string, string | undefined>) => ({ method: 'GET' as const, path, query });
  return {
    stockSnapshot: async (q) => (await remote.call(get(P.stockSnapshot, { site: q.site, after: q.after, limit: String(q.limit) }), SnapshotResponse)).data,
    getBalance: async (key) => (await remote.call(get(P.balances, stockQuery(key)), BalanceResponse)).data.balance,
    listTransactions: async (key, since) => (await remote.call(get(P.transactions, { ...stockQuery(key), since }), TransactionsResponse)).data.transactions,
    listAdjustments: async (key, since) => (await remote.call(get(P.adjustments, { ...stockQuery(key), since }), AdjustmentsResponse)).data.adjustments,
    listCountHistory: async (key, since) => (await remote.call(get(P.counts, { ...stockQuery(key), since }), CountsResponse)).data.counts,
    listReturnsPending: async (key) => (await remote.call(get(P.returnsPending, stockQuery(key)), ReturnsResponse)).data.returns,
    async createCountTask({ idempotencyKey, ...body }) {
      const r = await remote.call({ method: 'POST', path: P.countTasks, body, idempotencyKey }, CountTaskCreated);
      return { taskId: r.data.taskId, replayed: r.replayed };
    },
    async placeHold({ idempotencyKey, ...body }) {
      const r = await remote.call({ method: 'POST', path: P.holds, body, idempotencyKey }, HoldPlaced);
      return { holdId: r.data.holdId, replayed: r.replayed };
    },
    async releaseHold({ holdId, idempotencyKey }) {
      const r = await remote.call({ method: 'POST', path: P.releaseHold(holdId), body: {}, idempotencyKey }, HoldReleased);
      return { released: r.data.released };
    },
    async postAdjustment({ idempotencyKey, ...body }) {
      const r = await remote.call({ method: 'POST', path: P.adjustments, body, idempotencyKey }, AdjustmentPosted);
      return { adjustmentId: r.data.adjustmentId, replayed: r.replayed };
    },
  };
}
