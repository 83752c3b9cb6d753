import type { Request, RequestHandler } from 'express';
import type { ApiMetrics } from '../metrics/api';

/**
 * The route pattern that answered, e.g. `/v1/discrepancies/:id/approve`, never the raw URL (ids
 * would make a series per case). Express keeps the matched route on the request but not where
 * its router was mounted once the error middleware has run, so the mount path is recovered from
 * the URL: the route pattern has as many segments as the end of the path it matched.
 * Requests no route matched (unknown paths, refused before routing: 401, 429) are `unmatched`.
 */
export function routePattern(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  const path = req.originalUrl.split('?')[0].replace(/\/+$/, '') || '/';
  const routeSegments = pattern.split('/').filter(Boolean);
  const pathSegments = path.split('/').filter(Boolean);
  if (/[*{(]/.test(pattern) || routeSegments.length > pathSegments.length) return pattern;
  const mount = pathSegments.slice(0, pathSegments.length - routeSegments.length);
  return `/${[...mount, ...routeSegments].join('/')}`;
}

/** Rate, latency and errors per route pattern, recorded when the answer finishes (or the client leaves). */
export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const route = routePattern(req);
      const status = String(res.statusCode);
      metrics.httpRequests.inc({ method: req.method, route, status });
      if (res.statusCode >= 400) metrics.httpErrors.inc({ method: req.method, route, status });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route, status_class: `${status[0]}xx` }, seconds);
    };
    res.on('finish', record);
    res.on('close', record);
    next();
  };
}
