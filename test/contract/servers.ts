import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { createLedgerServer, type LedgerServerOptions } from '../../fake-wms/server/app';
import { createLogger } from '../../src/logger';

/**
 * The reference ledger over HTTP on a loopback port, as a test's remote WMS/ERP: it can be
 * stopped and started again on the same port, made to answer 503 or stall, and it counts the
 * requests that reached it.
 */
export interface LedgerRemote {
  port: number;
  wmsUrl: string;
  erpUrl: string;
  webhookUrl: string;
  apiKey: string;
  /** requests that reached the server */
  requests: { method: string; path: string; idempotencyKey?: string; correlationId?: string }[];
  /** answer requests with this status instead of serving them… */
  failWith?: number;
  /** …this many of them (undefined: all) */
  failTimes?: number;
  /** hold every answer this long first */
  stallMs?: number;
  /**
   * Per request, before anything else: a status to answer with (422: a business refusal), and/or
   * how long to hold the answer (then serve it normally).
   */
  intercept?: (req: { method: string; path: string }) => { status?: number; detail?: string; stallMs?: number } | undefined;
  /** how many requests reached `path` */
  hits(path: string): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly listening: boolean;
}

export async function startLedgerRemote(pool: Pool, opts: Partial<LedgerServerOptions> & { port?: number } = {}): Promise<LedgerRemote> {
  const apiKey = opts.apiKey ?? 'contract-secret';
  const app = createLedgerServer(pool, { apiKey, logger: createLogger({ LOG_LEVEL: 'warn' }, 'test-ledger-server'), ...opts });
  let server: Server | undefined;
  const remote: LedgerRemote = {
    port: opts.port ?? 0,
    wmsUrl: '',
    erpUrl: '',
    webhookUrl: '',
    apiKey,
    requests: [],
    hits: (path: string) => remote.requests.filter((r) => r.path === path).length,
    get listening() {
      return server?.listening ?? false;
    },
    async start() {
      server = createServer((req, res) => {
        const key = req.headers['idempotency-key'];
        const correlation = req.headers['x-correlation-id'];
        remote.requests.push({
          method: req.method ?? '',
          path: req.url?.split('?')[0] ?? '',
          idempotencyKey: typeof key === 'string' ? key : undefined,
          correlationId: typeof correlation === 'string' ? correlation : undefined,
        });
        const path = req.url?.split('?')[0] ?? '';
        const hook = remote.intercept?.({ method: req.method ?? '', path });
        if (hook?.status) {
          const status = hook.status;
          setTimeout(() => {
            res.writeHead(status, { 'content-type': 'application/problem+json' });
            res.end(JSON.stringify({ status, code: 'test_refusal', detail: hook.detail ?? 'the test made the remote refuse' }));
          }, hook.stallMs ?? 0);
          return;
        }
        const serve = () => {
          if (remote.failWith && (remote.failTimes === undefined || remote.failTimes-- > 0)) {
            res.writeHead(remote.failWith, { 'content-type': 'application/problem+json' });
            res.end(JSON.stringify({ status: remote.failWith, code: 'test_outage', detail: 'the test made the remote fail' }));
            return;
          }
          app(req, res);
        };
        const stall = hook?.stallMs ?? remote.stallMs;
        if (stall) setTimeout(serve, stall);
        else serve();
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(remote.port, '127.0.0.1', () => resolve());
      });
      remote.port = (server.address() as AddressInfo).port;
      const base = `http://127.0.0.1:${remote.port}`;
      Object.assign(remote, { wmsUrl: `${base}/wms`, erpUrl: `${base}/erp`, webhookUrl: `${base}/webhook` });
    },
    async stop() {
      const s = server;
      if (!s?.listening) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
      await closed;
    },
  };
  await remote.start();
  return remote;
}
