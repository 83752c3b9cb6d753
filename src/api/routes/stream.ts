import { Router } from 'express';
import type { ApiMetrics } from '../../metrics/api';
import type { CaseChange } from '../../store/case-feed';
import { actorOf } from '../auth';
import type { ApiContext } from '../deps';
import { keyStillActive } from '../../store/api-key-repo';
import { ServiceUnavailable } from '../errors';
import { TooManyRequests } from '../rate-limit';
import { StreamQuery } from '../ops-schemas';
import type { RedisGuard } from '../redis-guard';
import { CaseFeedHub, type FeedClient } from '../services/case-feed-hub';
import { sitesInScope } from '../site-scope';
import { parseInput } from '../validate';

export const STREAM_HEARTBEAT_MS = 15_000;
/** a client this far behind is dropped (it reconnects and re-reads the queue) rather than buffered without end */
const MAX_BUFFERED_BYTES = 1 << 20;

/** open streams per key, and per API process: a stream holds a connection and a subscription */
export const MAX_STREAMS_PER_KEY = 5;
export const MAX_STREAMS = 1000;

export interface StreamOptions {
  heartbeatMs?: number;
}

/**
 * GET /v1/stream: case changes as server-sent events (`event: case`, data: a CaseChange, id:
 * caseId:rowVersion), within the key's sites and the optional `site` and `kind` filters. A
 * comment every heartbeatMs keeps proxies from closing an idle connection. `event: resync` means
 * changes may have been missed (the feed's Redis connection dropped): re-read the queue.
 * Redis unreachable: 503 (the rest of the API keeps working).
 */
export function streamRoutes(ctx: ApiContext, guard: RedisGuard, metrics: ApiMetrics, opts: StreamOptions = {}): Router {
  const router = Router();
  const hub = new CaseFeedHub(ctx.redis, ctx.logger);
  const heartbeatMs = opts.heartbeatMs ?? STREAM_HEARTBEAT_MS;
  const openPerKey = new Map<string, number>();
  let open = 0;

  router.get('/', async (req, res) => {
    const q = parseInput(StreamQuery, req.query, 'query');
    const keyId = req.auth!.id;
    if ((openPerKey.get(keyId) ?? 0) >= MAX_STREAMS_PER_KEY) throw new TooManyRequests(`this key already has ${MAX_STREAMS_PER_KEY} open streams; close one first`, 5);
    if (open >= MAX_STREAMS) throw new TooManyRequests(`this API process serves ${MAX_STREAMS} streams already; retry later`, 5);
    const sites = sitesInScope(actorOf(req), q.site);
    const siteSet = sites ? new Set(sites) : undefined;
    const kindSet = q.kind ? new Set<string>(q.kind) : undefined;

    let closed = false;
    const write = (text: string) => {
      if (closed) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        req.log.warn('live feed: client too far behind; closing its stream');
        res.end();
        return;
      }
      res.write(text);
    };
    const client: FeedClient = {
      wants: (c: CaseChange) => (!siteSet || siteSet.has(c.site)) && (!kindSet || kindSet.has(c.kind)),
      send: (c: CaseChange) => {
        write(`id: ${c.id}:${c.rowVersion}\nevent: case\ndata: ${JSON.stringify(c)}\n\n`);
        metrics.streamEvents.inc();
      },
      resync: () => write('event: resync\ndata: {}\n\n'),
    };

    // headers are set before subscribing, so a change arriving meanwhile goes out with them
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    try {
      await hub.add(client);
    } catch (err) {
      guard.degraded('stream', err);
      throw new ServiceUnavailable('the live feed is unavailable (Redis cannot be reached); the rest of the API works; retry later');
    }
    metrics.streamClients.inc();
    openPerKey.set(keyId, (openPerKey.get(keyId) ?? 0) + 1);
    open++;
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    // revocation (or expiry) reaches an open stream: it ends with `event: revoked`
    const keyCheck = setInterval(() => {
      keyStillActive(ctx.db, keyId).then(
        (active) => {
          if (active || closed) return;
          write('event: revoked\ndata: {}\n\n');
          res.end();
        },
        () => undefined, // the database being down does not cut streams
      );
    }, ctx.timeouts.streamKeyCheckMs);
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearInterval(keyCheck);
      hub.remove(client);
      metrics.streamClients.dec();
      open--;
      const n = (openPerKey.get(keyId) ?? 1) - 1;
      if (n > 0) openPerKey.set(keyId, n);
      else openPerKey.delete(keyId);
    };
    res.on('close', cleanup);
    if (req.socket.destroyed) return cleanup();
    res.flushHeaders();
    write('retry: 5000\n: connected\n\n');
  });
  return router;
}
