import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import type { Logger } from '../logger';
import { countAuditEscalations, countCasesByState, iraBySite } from '../store/kpi-queries';

/**
 * The API's Prometheus registry, one per app (tests run several apps in one process, and the
 * global registry refuses a metric registered twice).
 *
 * Case figures come from the read model, not from counting the live feed: every replica would
 * count every change, and a restarted replica would start from zero. So every replica reports
 * the same figures (aggregate with max() across replicas), refreshed at most every
 * READ_MODEL_CACHE_MS however often it is scraped.
 */
export const READ_MODEL_CACHE_MS = 5000;

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpErrors: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  streamClients: Gauge;
  streamEvents: Counter;
  redisDegraded: Counter<'feature'>;
}

export function createApiMetrics(db: Pool, logger: Logger): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const refreshFailures = new Counter({
    name: 'reckon_metrics_refresh_failures_total',
    help: 'read-model refreshes of the case figures that failed (the previous figures are served)',
    registers: [registry],
  });
  // prom-client awaits collect() before serialising; one cached refresh serves them all
  const collect = () => readModel();
  const cases = new Gauge({
    collect,
    name: 'reckon_cases',
    help: 'cases in the read model, by kind, status and resolution (resolution "none" while open)',
    labelNames: ['kind', 'status', 'resolution'] as const,
    registers: [registry],
  });
  // the audit log is append-only, so these database totals only grow: counters, and rate() works across restarts
  const breaches = new Counter({
    collect,
    name: 'reckon_audit_sla_breaches_total',
    help: 'SLA breaches recorded in the audit log, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const escalations = new Counter({
    collect,
    name: 'reckon_audit_escalations_total',
    help: 'escalations to a later rung (and terminal actions) recorded in the audit log, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  const ira = new Gauge({
    collect,
    name: 'reckon_inventory_record_accuracy',
    help: 'share of the last 28 days of counts within the counting tolerance, by site and weighting (count or value)',
    labelNames: ['site', 'weighting'] as const,
    registers: [registry],
  });
  const iraCounts = new Gauge({
    collect,
    name: 'reckon_inventory_record_accuracy_counts',
    help: 'counts behind reckon_inventory_record_accuracy, by site',
    labelNames: ['site'] as const,
    registers: [registry],
  });

  let cachedAt = 0;
  let inFlight: Promise<void> | undefined;
  const refresh = async (): Promise<void> => {
    const [byState, audit, accuracy] = await Promise.all([countCasesByState(db), countAuditEscalations(db), iraBySite(db, new Date())]);
    cases.reset();
    for (const r of byState) cases.set({ kind: r.kind, status: r.status, resolution: r.resolution ?? 'none' }, r.count);
    breaches.reset();
    escalations.reset();
    for (const r of audit) {
      if (r.breaches > 0) breaches.inc({ kind: r.kind }, r.breaches);
      if (r.escalations > 0) escalations.inc({ kind: r.kind }, r.escalations);
    }
    ira.reset();
    iraCounts.reset();
    for (const s of accuracy) {
      iraCounts.set({ site: s.site }, s.counts);
      if (s.rate !== null) ira.set({ site: s.site, weighting: 'count' }, s.rate);
      if (s.valueRate !== null) ira.set({ site: s.site, weighting: 'value' }, s.valueRate);
    }
    cachedAt = Date.now();
  };
  const readModel = async (): Promise<void> => {
    if (Date.now() - cachedAt < READ_MODEL_CACHE_MS) return;
    inFlight ??= refresh()
      .catch((err: unknown) => {
        refreshFailures.inc();
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics: read-model figures not refreshed');
      })
      .finally(() => {
        inFlight = undefined;
      });
    await inFlight;
  };

  return {
    registry,
    httpRequests: new Counter({
      name: 'reckon_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpErrors: new Counter({
      name: 'reckon_http_errors_total',
      help: 'HTTP answers with a 4xx or 5xx status, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'reckon_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status class (the live feed counts its whole connection)',
      labelNames: ['method', 'route', 'status_class'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    streamClients: new Gauge({ name: 'reckon_stream_clients', help: 'live-feed (server-sent events) clients connected to this replica', registers: [registry] }),
    streamEvents: new Counter({ name: 'reckon_stream_events_total', help: 'case changes written to live-feed clients by this replica', registers: [registry] }),
    redisDegraded: new Counter({
      name: 'reckon_redis_degraded_total',
      help: 'requests served without Redis (idempotency passed through, rate limit not applied, live feed refused)',
      labelNames: ['feature'] as const,
      registers: [registry],
    }),
  };
}
