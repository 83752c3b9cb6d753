import Redis from 'ioredis';
import { CASE_FEED_CHANNEL, parseCaseChange } from '../src/store/case-feed';

/**
 * Learns when cases close from the live feed (the worker publishes every recorded transition
 * after its commit). The close time is the change's own `at`, stamped by the worker right after
 * the commit, so the bench's event loop being busy does not inflate latencies; resolution 1 ms.
 */
export interface Closures {
  /** resolves with the close time (epoch ms) once the case `id` is closed */
  closed(id: string, timeoutMs: number): Promise<number>;
  stop(): void;
}

export async function watchClosures(redisUrl: string): Promise<Closures> {
  const sub = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await sub.connect();
  const closedAt = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  sub.on('message', (_channel: string, text: string) => {
    const change = parseCaseChange(text);
    if (!change || change.status !== 'closed' || closedAt.has(change.id)) return;
    const at = Date.parse(change.at);
    closedAt.set(change.id, at);
    waiting.get(change.id)?.(at);
    waiting.delete(change.id);
  });
  await sub.subscribe(CASE_FEED_CHANNEL);
  return {
    closed(id, timeoutMs) {
      const at = closedAt.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`case ${id} did not close within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
    stop: () => sub.disconnect(),
  };
}
