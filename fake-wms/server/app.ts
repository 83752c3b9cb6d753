import express, { type Express } from 'express';
import type { Pool } from 'pg';
import { createLogger, type Logger } from '../../src/logger';
import { createReferenceLedger } from '../ledger';
import { erpRoutes } from './erp-routes';
import { masterDataRoutes } from './master-data-routes';
import { problemMiddleware, Refusal, requireBearer } from './problems';
import { webhookRoutes } from './webhook-routes';
import { wmsRoutes } from './wms-routes';

export interface LedgerServerOptions {
  /** callers must send `Authorization: Bearer <apiKey>` */
  apiKey: string;
  logger?: Logger;
  /** passed to the ledger: called right after an adjustment commits, before the answer is sent */
  onAdjustmentCommitted?: (adjustmentId: string) => void;
}

/**
 * The reference ledger served over the REST contract of docs/adapters.md: the WMS under
 * `/wms`, the ERP under `/erp`, the webhook notifier under `/webhook`. Idempotency is the
 * ledger's own (writes are unique on their key), so the server keeps no state of its own.
 */
export function createLedgerServer(pool: Pool, opts: LedgerServerOptions): Express {
  if (!opts.apiKey) throw new Error('the reference server needs an API key');
  const logger = opts.logger ?? createLogger({ LOG_LEVEL: 'info' }, 'reckon-reference-server');
  const ledger = createReferenceLedger(pool, { onAdjustmentCommitted: opts.onAdjustmentCommitted });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(requireBearer(opts.apiKey));
  app.use(express.json({ limit: '64kb' }));
  app.use('/wms', wmsRoutes(pool, ledger.wms), masterDataRoutes(pool));
  app.use('/erp', erpRoutes(ledger.erp));
  app.use('/webhook', webhookRoutes(pool, ledger.notifier));
  app.use((req) => {
    throw new Refusal(404, 'not_found', `no route ${req.method} ${req.path}`);
  });
  app.use(problemMiddleware(logger));
  return app;
}
