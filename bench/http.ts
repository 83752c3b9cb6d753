import { Agent, request } from 'node:http';

/**
 * The bench's HTTP client: one keep-alive agent, JSON in and out, loopback only. Every
 * measured side (Reckon's API, the bare express endpoint) is driven by this same client.
 */
export interface HttpClient {
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
  /**
   * `read: 'status'`: a 2xx answer's body is read off the socket and dropped, not parsed (a
   * timed read that only checks the status; parsing a page of JSON here would count in its time
   * and take a core from the server on this 2-core machine); other answers are parsed as ever.
   */
  get(path: string, headers?: Record<string, string>, read?: 'json' | 'status'): Promise<HttpResponse>;
  close(): void;
}

export interface HttpResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export function httpClient(baseUrl: string, maxSockets: number): HttpClient {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`the bench talks to loopback only, not ${url.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (method: string, path: string, body: unknown, headers: Record<string, string>, read: 'json' | 'status' = 'json', retried = false): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(
        {
          // a retry goes on a connection of its own: the other kept ones may be closing too
          agent: retried ? false : agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (read === 'status' && status >= 200 && status < 300) {
            res.on('end', () => resolve({ status, body: undefined, headers: res.headers }));
            res.on('error', reject);
            res.resume();
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status, body: parsed, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // a kept-alive socket the server closed as it idled out, taken at that moment: sent again
        // once (every request the bench sends may be repeated: a report merges, a read is a read)
        if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) resolve(send(method, path, body, headers, read, true));
        else reject(err);
      });
      req.end(payload);
    });
  return {
    post: (path, body, headers = {}) => send('POST', path, body, headers),
    get: (path, headers = {}, read = 'json') => send('GET', path, undefined, headers, read),
    close: () => agent.destroy(),
  };
}

/**
 * Runs `fn(0..total-1)` with at most `concurrency` calls in flight: a bounded loop, so the load
 * is closed (each slot sends its next request when its last one finished).
 */
export async function runBounded(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const slot = async () => {
    while (next < total) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, slot));
}

/** Times each call of a bounded loop: throughput over the whole loop and every call's latency. */
export async function measureBounded(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<{ perSec: number; elapsedMs: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  await runBounded(total, concurrency, async (i) => {
    const t0 = performance.now();
    await fn(i);
    latenciesMs.push(performance.now() - t0);
  });
  const elapsedMs = performance.now() - started;
  return { perSec: (total * 1000) / elapsedMs, elapsedMs, latenciesMs };
}

export function expectStatus(res: HttpResponse, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
}
