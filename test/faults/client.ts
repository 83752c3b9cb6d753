/**
 * An HTTP client that behaves like a careful integration: a request that fails for a reason
 * that may pass (no answer, 429, 502/503/504, a 500, or a 409 with Retry-After: its key's first
 * attempt is still held, e.g. by an API replica that died with it) is sent again, with back-off,
 * the same body and the same Idempotency-Key, until it gets an answer it can act on. Every answer is
 * tallied so the suite can show what the API said during the faults, and any 500 fails it.
 */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** how many attempts went before this one */
  retries: number;
}

export interface ServerFault {
  method: string;
  path: string;
  status: number;
  detail: string;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class IntegrationClient {
  readonly tally = new Map<string, number>();
  readonly serverFaults: ServerFault[] = [];

  constructor(
    readonly baseUrl: () => string,
    readonly key: string,
    readonly giveUpAfterMs = 180_000,
  ) {}

  get(path: string): Promise<Answer> {
    return this.send('GET', path);
  }

  post(path: string, body: unknown, idempotencyKey?: string): Promise<Answer> {
    return this.send('POST', path, body, idempotencyKey);
  }

  private count(what: string): void {
    this.tally.set(what, (this.tally.get(what) ?? 0) + 1);
  }

  private async send(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<Answer> {
    const deadline = Date.now() + this.giveUpAfterMs;
    const headers: Record<string, string> = { Authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let inProgress = false;
      let parsed: Record<string, unknown> = {};
      try {
        const res = await fetch(this.baseUrl() + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(45_000),
        });
        status = res.status;
        inProgress = status === 409 && res.headers.has('retry-after');
        const text = await res.text();
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch (err) {
        this.count(`${method} no answer (${(err as Error).name})`);
      }
      if (status) this.count(`${method} ${status}`);
      if (status === 500) this.serverFaults.push({ method, path, status, detail: String(parsed.detail ?? '') });
      if (status && !RETRYABLE.has(status) && !inProgress) return { status, body: parsed, retries: attempt };
      if (Date.now() > deadline) throw new Error(`${method} ${path}: no usable answer after ${attempt + 1} attempts (last ${status || 'no answer'})`);
      await sleep(Math.min(250 * 2 ** attempt, 3000) * (0.5 + Math.random()));
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
