import { Agent as HttpAgent, request } from 'node:http';
import { runBounded } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { round, summarize, type Latency } from './stats';

export interface BurstOptions {
  /** reports the ERP posts at once, each a distinct case */
  reports: number;
  /** requests the ERP keeps in flight */
  concurrency: number;
  apiPoolSize: number;
}

export interface BurstResult {
  reports: number;
  concurrency: number;
  /** a steady sender first (16 in flight), for the latency the burst's back-pressure adds */
  steady: { reports: number; concurrency: number; perSec: number; latencyMs: Latency };
  /** reports accepted per second from the first send to the last 202 */
  acceptedPerSec: number;
  wallSeconds: number;
  attempts: number;
  /** answers by status over every attempt */
  statuses: Record<string, number>;
  server5xx: number;
  /** attempts the client gave up on after 60 s */
  timeouts: number;
  /** reports whose id answered differs from the read model's case for it (must be 0) */
  mismatched: number;
  /** cases in the read model for the burst's reports (must equal `reports`) */
  cases: number;
  /** first send → 202, per report: the refusals and Retry-After waits included */
  latencyMs: Latency;
  /** the accepted attempt alone: the wait for a turn in the intake and the intake itself */
  acceptedAttemptMs: Latency;
  retriesPerReport: number;
}

interface Answer {
  status: number;
  /** the transport error, when there was no answer */
  error?: string;
  retryAfter?: number;
  id?: string;
  ms: number;
}

const TIMEOUT_MS = 60_000;

function reportFor(prefix: string, i: number) {
  return {
    kind: 'count_variance', site: 'BURST', sku: `${prefix}-${i}`, location: 'A-01-01', expectedQty: 50, observedQty: 49,
    unitCost: 3, skuClass: 'C', source: 'erp', sourceEventIds: [`${prefix}-E${i}`],
  };
}

function poster(url: string, concurrency: number, auth: Record<string, string>) {
  const base = new URL(url);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: unknown) =>
    new Promise<Answer>((resolve) => {
      const t0 = performance.now();
      const payload = Buffer.from(JSON.stringify(body));
      const req = request(
        { agent, host: base.hostname, port: base.port, method: 'POST', path: '/v1/discrepancies', timeout: TIMEOUT_MS, headers: { ...auth, 'content-type': 'application/json', 'content-length': String(payload.length) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let id: string | undefined;
            try {
              id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string }).id;
            } catch {
              // not JSON
            }
            const retryAfter = Number(res.headers['retry-after']);
            resolve({ status, id, ms: performance.now() - t0, ...(Number.isFinite(retryAfter) ? { retryAfter } : {}) });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: err.message === 'timeout' ? -1 : 0, error: err.code ?? err.message, ms: performance.now() - t0 }));
      req.end(payload);
    });
  return { post, close: () => agent.destroy() };
}

/**
 * An ERP posting `reports` reports as fast as it can, `concurrency` in flight, retrying each 429
 * after its Retry-After (with jitter) until it is accepted: on the intake alone (no worker polls
 * the queue), as in the ingest phase. What counts: no 5xx, no timeout, each report in exactly
 * one case, and the latency the back-pressure adds over a steady sender.
 */
export async function runBurst(stack: Stack, keys: BenchKeys, o: BurstOptions, log: (m: string) => void): Promise<BurstResult> {
  const api = await startReckonApi(stack, { taskQueue: `bench-burst-unpolled-${process.pid}`, poolSize: o.apiPoolSize });
  const client = poster(api.url, o.concurrency, keys.integration);
  const prefix = `B${process.pid}`;
  try {
    const steadyN = Math.min(500, o.reports);
    log(`burst: a steady sender first, ${steadyN} reports, 16 in flight`);
    const steadyMs: number[] = [];
    const t0 = performance.now();
    await runBounded(steadyN, 16, async (i) => {
      const a = await client.post(reportFor(`${prefix}S`, i));
      if (a.status !== 202) throw new Error(`steady sender: ${a.status}`);
      steadyMs.push(a.ms);
    });
    const steady = { reports: steadyN, concurrency: 16, perSec: round((steadyN * 1000) / (performance.now() - t0)), latencyMs: summarize(steadyMs) };

    log(`burst: ${o.reports} reports, ${o.concurrency} in flight, each retried after Retry-After until accepted`);
    const statuses: Record<string, number> = {};
    const ids: (string | undefined)[] = [];
    const total: number[] = [];
    const accepted: number[] = [];
    let attempts = 0;
    const started = performance.now();
    await runBounded(o.reports, o.concurrency, async (i) => {
      const first = performance.now();
      for (;;) {
        const a = await client.post(reportFor(prefix, i));
        attempts += 1;
        // no answer: a timeout, or the connection failed (e.g. ECONNRESET, a kept-alive socket the server had just closed)
        const key = a.status === -1 ? 'timeout' : a.status === 0 ? `error ${a.error}` : String(a.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (a.status === 202) {
          ids[i] = a.id;
          accepted.push(a.ms);
          total.push(performance.now() - first);
          return;
        }
        // 429: as told, with jitter so the refused do not come back all at once; anything else: a second
        const wait = a.status === 429 ? (a.retryAfter ?? 1) * 1000 * (0.5 + Math.random()) : 1000;
        await new Promise((r) => setTimeout(r, wait));
      }
    });
    const wallMs = performance.now() - started;
    const { rows } = await stack.db.query<{ id: string; sku: string }>(`SELECT id, sku FROM discrepancies WHERE site = 'BURST' AND sku LIKE $1`, [`${prefix}-%`]);
    const bySku = new Map(rows.map((r) => [r.sku, r.id]));
    const mismatched = ids.filter((id, i) => id !== bySku.get(`${prefix}-${i}`)).length;
    const server5xx = Object.entries(statuses).filter(([s]) => /^5/.test(s)).reduce((n, [, c]) => n + c, 0);
    return {
      reports: o.reports,
      concurrency: o.concurrency,
      steady,
      acceptedPerSec: round((o.reports * 1000) / wallMs),
      wallSeconds: round(wallMs / 1000),
      attempts,
      statuses,
      server5xx,
      timeouts: statuses.timeout ?? 0,
      mismatched,
      cases: rows.length,
      latencyMs: summarize(total),
      acceptedAttemptMs: summarize(accepted),
      retriesPerReport: round(attempts / o.reports - 1, 2),
    };
  } finally {
    client.close();
    await api.close();
  }
}
