import { pingDatabase } from '../../store/db';
import type { ApiContext } from '../deps';

export interface Probe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  /** ok: all up; degraded: Redis down (the API works without it, slower); unavailable: Postgres or Temporal down */
  status: 'ok' | 'degraded' | 'unavailable';
  checks: { postgres: Probe; temporal: Probe; redis: Probe };
}

async function probe(timeoutMs: number, fn: () => Promise<unknown>): Promise<Probe> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([fn(), timeout]);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, latencyMs: Date.now() - started, error: message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(ctx: ApiContext): Promise<Readiness> {
  const ms = ctx.timeouts.readinessMs;
  const [postgres, temporal, redis] = await Promise.all([
    probe(ms, () => pingDatabase(ctx.db)),
    probe(ms, () =>
      ctx.temporal.connection.withDeadline(Date.now() + ms, () =>
        ctx.temporal.connection.workflowService.describeNamespace({ namespace: ctx.config.TEMPORAL_NAMESPACE }),
      ),
    ),
    probe(ms, async () => {
      // a lazy client connects on first use; one that gave up is nudged to try again
      if (ctx.redis.status === 'wait') await ctx.redis.connect();
      else if (ctx.redis.status === 'end') ctx.redis.connect().catch(() => undefined);
      return ctx.redis.ping();
    }),
  ]);
  const status = !postgres.ok || !temporal.ok ? 'unavailable' : redis.ok ? 'ok' : 'degraded';
  return { status, checks: { postgres, temporal, redis } };
}
