import express, { Router, type Express } from 'express';
import { createLogger } from '../logger';
import { authenticate } from './auth';
import { DEFAULT_TIMEOUTS, type ApiContext, type ApiDeps } from './deps';
import { errorMiddleware, NotFound } from './errors';
import './request';
import { requestLog } from './request-log';
import { countRoutes } from './routes/counts';
import { discrepancyRoutes } from './routes/discrepancies';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { policyRoutes } from './routes/policies';

export type { ApiDeps } from './deps';

/**
 * The HTTP API (DESIGN §8). Every /v1 route needs a key; the key is checked before the body is
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
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(ctx.logger));
  app.use(healthRoutes(ctx));

  const v1 = Router();
  v1.use(authenticate(ctx.db, ctx.timeouts.keyCacheMs));
  // before the shared body parser: event batches have their own, larger limit
  v1.use('/events', eventRoutes(ctx));
  v1.use(express.json({ limit: ctx.config.API_BODY_LIMIT }));
  v1.use('/discrepancies', discrepancyRoutes(ctx));
  v1.use('/counts', countRoutes(ctx));
  v1.use('/policies', policyRoutes(ctx));
  app.use('/v1', v1);

  app.use((req) => {
    throw new NotFound(`no route ${req.method} ${req.path}`);
  });
  app.use(errorMiddleware(ctx.logger));
  return app;
}
