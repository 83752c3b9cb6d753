import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { migrateAsOwner } from '../../src/store/migrate';
import { createLedgerServer } from './app';

/**
 * The reference ledger over HTTP, for trying the http adapter end to end:
 *   ADAPTER_HTTP_API_KEY=secret npx tsx src/adapters/reference-server/main.ts --port 4010
 * then run the worker with ADAPTER=http WMS_HTTP_URL=http://127.0.0.1:4010/wms
 * ERP_HTTP_URL=http://127.0.0.1:4010/erp and the same key.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '4010' }, host: { type: 'string', default: '127.0.0.1' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const config = loadConfig();
  if (!config.ADAPTER_HTTP_API_KEY) throw new Error('ADAPTER_HTTP_API_KEY must be set: callers authenticate with it');
  const logger = createLogger(config, 'reckon-reference-server');
  await migrateAsOwner(config);
  const pool = createPool(config.DATABASE_URL, 10);
  const app = createLedgerServer(pool, { apiKey: config.ADAPTER_HTTP_API_KEY, logger });
  const server = app.listen(port, values.host, () => logger.info({ port, host: values.host }, 'reference ledger listening: /wms, /erp, /webhook'));
  const stop = () => {
    server.close(() => {
      void pool.end().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
