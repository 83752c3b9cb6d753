import type { ApiContext } from '../deps';
import { ServiceUnavailable } from '../errors';

/**
 * Runs Temporal calls under a gRPC deadline, so no request waits on Temporal forever. A timer
 * backs the deadline up by a second in case a call does not honour it.
 */
export async function withDeadline<T>(ctx: ApiContext, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailable('Temporal did not answer in time')), ms + 1000);
    timer.unref();
  });
  try {
    return await Promise.race([ctx.temporal.connection.withDeadline(Date.now() + ms, fn), backstop]);
  } finally {
    clearTimeout(timer);
  }
}
