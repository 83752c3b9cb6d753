/** The simulator's HTTP client of the Reckon API: the same calls an integration makes. */
export interface CaseSummary {
  id: string;
  kind: string;
  site: string;
  sku: string;
  location: string | null;
  reference: { kind: string; id: string; line?: string } | null;
  status: string;
  resolution: string | null;
  expectedQty: number;
  observedQty: number;
  confidence: number | null;
  scorerVersion: string | null;
  sourceEventIds: string[];
  explanation: string | null;
  detectedAt: string;
  openedAt: string;
  closedAt: string | null;
}

export interface CaseDetail extends CaseSummary {
  decision?: { action?: string; correction?: string; adjustQty?: number; rule?: string } | null;
  score?: { confidence?: number; scorerVersion?: string; model?: { version: number; reading: string; features: Record<string, string> } } | null;
  /** scorer v2's probabilities over its root causes (empty when scored by rules-v1) */
  rootCauses?: { cause: string; probability: number }[];
  live?: { recounts?: { taskId: string; countedQty?: number; timedOut?: boolean }[] } | null;
}

export interface ShadowAgreementFigure {
  kind: string;
  site: string;
  shadowCases: number;
  agreed: number;
  rate: number | null;
  wouldAutoResolve: number;
  autoResolutionsReversed: number;
  peopleActed: number;
}

export interface IncidentSummary {
  id: string;
  site: string;
  link: { kind: string; key: string };
  status: string;
  cases: { id: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

export class SimClient {
  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  /**
   * One API call. A 429 or 503 (the engine busy: a Temporal update timed out, a dependency
   * restarting) is tried again after a pause, like an integration would; writes carry an
   * Idempotency-Key where a resend must not act twice.
   */
  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${this.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      if ((res.status === 429 || res.status === 503) && attempt < 6) {
        const wait = Number(res.headers.get('retry-after')) * 1000 || 500 * 2 ** attempt;
        await new Promise((r) => setTimeout(r, Math.min(wait, 10_000)));
        continue;
      }
      if (!res.ok) throw new ApiError(res.status, text, `${method} ${path}`);
      return (text ? JSON.parse(text) : undefined) as T;
    }
  }

  postEvents(events: unknown[]): Promise<{ results: { status: string; cases?: string[]; errors?: unknown[] }[]; summary: Record<string, number> }> {
    return this.call('POST', '/v1/events', { events });
  }

  /** the KPIs of the cases opened in the last 30 days at these sites (GET /v1/kpis) */
  kpis(sites: string[]): Promise<{ shadowAgreement: ShadowAgreementFigure[] }> {
    return this.call('GET', `/v1/kpis?${new URLSearchParams({ site: sites.join(',') })}`);
  }

  /** Stores the run's policy over the active version (compare-and-set: If-Match the version read). */
  async postPolicy(document: unknown): Promise<{ version: number }> {
    const active = await this.call<{ version: number }>('GET', '/v1/policies/active');
    return this.call('POST', '/v1/policies', { ...(document as object), reason: 'simulator: the policy of this run' }, { 'If-Match': `"${active.version}"` });
  }

  /** caseId: the case that asked for the count, or for a planned count the case its variance opened (null: none) */
  postCount(body: { taskId: string; countedQty: number; countedBy: string; countedAt: string }): Promise<{ caseId: string | null; planId?: string }> {
    return this.call('POST', '/v1/counts', body, { 'Idempotency-Key': `count:${body.taskId}` });
  }

  /** An approver's decision on a case waiting for approval; the key makes a resend the same decision. */
  actOnCase(id: string, action: 'approve' | 'reject', body: unknown, idempotencyKey: string): Promise<unknown> {
    return this.call('POST', `/v1/discrepancies/${encodeURIComponent(id)}/${action}`, body, { 'Idempotency-Key': idempotencyKey });
  }

  getCase(id: string): Promise<CaseDetail> {
    return this.call('GET', `/v1/discrepancies/${encodeURIComponent(id)}`);
  }

  async listCases(filter: { status?: string; site?: string; shadow?: boolean } = {}): Promise<CaseSummary[]> {
    const out: CaseSummary[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ limit: '200', ...(filter.status ? { status: filter.status } : {}), ...(filter.site ? { site: filter.site } : {}), ...(filter.shadow !== undefined ? { shadow: String(filter.shadow) } : {}) });
      if (cursor) q.set('cursor', cursor);
      const page: { items: CaseSummary[]; nextCursor: string | null } = await this.call('GET', `/v1/discrepancies?${q}`);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** Open incidents, or null when the engine has no incidents endpoint. */
  async listIncidents(site?: string): Promise<IncidentSummary[] | null> {
    const out: IncidentSummary[] = [];
    let cursor: string | null = null;
    try {
      do {
        const q = new URLSearchParams({ limit: '200', status: 'open', ...(site ? { site } : {}) });
        if (cursor) q.set('cursor', cursor);
        const page: { items: IncidentSummary[]; nextCursor: string | null } = await this.call('GET', `/v1/incidents?${q}`);
        out.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
    return out;
  }
}
