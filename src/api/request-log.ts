import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import { withCorrelation } from '../observability/correlation';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Correlation id (X-Correlation-Id in and out, generated when absent or unusable) and one log
 * line per request when it finishes. Headers are never logged, so keys cannot leak here.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-correlation-id');
    const correlationId = offered && CORRELATION_ID.test(offered) ? offered : randomUUID();
    req.correlationId = correlationId;
    req.log = logger.child({ correlationId });
    res.setHeader('X-Correlation-Id', correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      // 503 is a dependency being down (logged where it was mapped); other 5xx are our faults
      if (res.statusCode >= 500 && res.statusCode !== 503) req.log.error(line, 'request failed');
      else if (res.statusCode === 503) req.log.warn(line, 'request failed: dependency unavailable');
      else req.log.info(line, 'request');
    });
    // the rest of the request runs in its correlation: Temporal calls carry the id to the workflow
    withCorrelation({ correlationId }, next);
  };
}
