import express, { Router, type Express } from 'express';
import { createLogger } from '../logger';
import { createApiMetrics } from '../metrics/api';
import { authenticate, oneOf, requireRole } from './auth';
import { jsonBody } from './body';
import { DEFAULT_TIMEOUTS, type ApiContext, type ApiDeps } from './deps';
import { errorMiddleware, MethodNotAllowed, NotFound } from './errors';
import { buildOpenApi } from './openapi';
import { declaredMethods } from './openapi-statuses';
import { httpMetrics } from './http-metrics';
import { idempotency } from './idempotency';
import { IntakeGate } from './intake-gate';
import { authFailureLimit, rateLimit } from './rate-limit';
import { RedisGuard } from './redis-guard';
import './request';
import { requestLog } from './request-log';
import { countPlanRoutes } from './routes/count-plans';
import { countRoutes } from './routes/counts';
import { discrepancyRoutes } from './routes/discrepancies';
import { EVENTS_BODY_LIMIT, eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { incidentRoutes } from './routes/incidents';
import { kpiRoutes } from './routes/kpis';
import { metricsRoutes } from './routes/metrics';
import { notificationRoutes } from './routes/notifications';
import { policyRoutes } from './routes/policies';
import { skuClassRoutes } from './routes/sku-classes';
import { streamRoutes } from './routes/stream';
import { BroadSearchMemo } from '../web/broad-searches';
import { webRoutes } from '../web/router';

export type { ApiDeps } from './deps';

/**
 * The HTTP API (docs/architecture.md, "Processes"; routes in /docs). Every /v1 route needs a key; the key is checked before the body is
 * read, so anonymous callers cannot make the API parse anything.
 */
export function createApp(deps: ApiDeps): Express {
  const ctx: ApiContext = {
    temporal: deps.temporal,
    db: deps.db,
    redis: deps.redis,
    config: deps.config,
    logger: deps.logger ?? createLogger(deps.config, 'reckon-api'),
    timeouts: { ...DEFAULT_TIMEOUTS, ...deps.timeouts },
    intakePorts: deps.intakePorts ?? {},
    reportIntake: new IntakeGate({
      concurrency: deps.config.REPORT_INTAKE_CONCURRENCY,
      queue: deps.config.REPORT_INTAKE_QUEUE,
      waitMs: deps.config.REPORT_INTAKE_WAIT_MS,
    }),
    broadSearches: new BroadSearchMemo(deps.config.INBOX_BROAD_SEARCH_MEMO_SECONDS * 1000),
  };

  const metrics = createApiMetrics(ctx.db, ctx.logger);
  const redisGuard = new RedisGuard(ctx.redis, ctx.logger, metrics);

  const app = express();
  app.disable('x-powered-by');
  // answers are data for one caller: never sniffed as another type, never kept by a cache
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
    next();
  });
  app.use(requestLog(ctx.logger));
  // the methods a path takes are the document's, for OPTIONS as for 405 (below)
  const allowed = declaredMethods(buildOpenApi());
  app.options(/.*/, (req, res, next) => {
    const methods = allowed(req.path);
    if (!methods) return next();
    res.set('Allow', [...methods, 'OPTIONS'].join(', ')).status(204).end();
  });
  app.use(httpMetrics(metrics));
  app.use(healthRoutes(ctx));
  app.use(metricsRoutes(metrics, ctx.config.OPS_TOKEN));
  if (ctx.config.TRUST_PROXY) app.set('trust proxy', trustProxy(ctx.config.TRUST_PROXY));
  // the inbox for people (src/web): its own session auth; the live feed is the API's, behind a session
  app.use(webRoutes(ctx, streamRoutes(ctx, redisGuard, metrics)));

  const v1 = Router();
  v1.use(authenticate(ctx.db, ctx.timeouts.keyCacheMs, authFailureLimit(redisGuard, ctx.config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE)));
  v1.use(rateLimit(redisGuard, ctx.config.RATE_LIMIT_PER_MINUTE));
  // event batches have their own, larger body limit, read only for a key that may send events;
  // the shared parser skips a body already read
  v1.use('/events', requireRole(oneOf('integration', 'admin')), jsonBody(EVENTS_BODY_LIMIT));
  v1.use(jsonBody(ctx.config.API_BODY_LIMIT));
  // every mutating route, after the body is parsed (the fingerprint hashes it)
  v1.use(
    idempotency(redisGuard, {
      ttlSeconds: ctx.config.IDEMPOTENCY_TTL_SECONDS,
      leaseMs: ctx.timeouts.idempotencyLeaseMs,
    }),
  );
  v1.use('/events', eventRoutes(ctx));
  v1.use('/discrepancies', discrepancyRoutes(ctx));
  v1.use('/counts', countRoutes(ctx));
  v1.use('/policies', policyRoutes(ctx));
  v1.use('/stream', streamRoutes(ctx, redisGuard, metrics));
  v1.use('/kpis', kpiRoutes(ctx));
  v1.use('/incidents', incidentRoutes(ctx));
  v1.use('/count-plans', countPlanRoutes(ctx));
  v1.use('/notifications', notificationRoutes(ctx));
  v1.use('/skus', skuClassRoutes(ctx));
  app.use('/v1', v1);

  // a known path with a method it does not declare is 405 with Allow; anything else 404
  app.use((req) => {
    const methods = allowed(req.path);
    if (methods) throw new MethodNotAllowed(`${req.path} does not take ${req.method}; it takes ${methods.join(', ')}`, methods);
    throw new NotFound(`no route ${req.method} ${req.path}`);
  });
  app.use(errorMiddleware(ctx.logger));
  return app;
}

/** TRUST_PROXY as express takes it: true, a hop count, or addresses. */
function trustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
