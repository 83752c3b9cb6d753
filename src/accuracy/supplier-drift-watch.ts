import type { CaseIntakeDeps } from '../ingest/start-case';
import type { Logger } from '../logger';
import { checkSupplierDrift } from './supplier-drift-check';

/**
 * Runs the supplier drift check now and then every `everyMs` in the worker process; a failed
 * pass is logged and tried at the next. Several workers may run it: a finding already reported
 * is not reported again, and a race merges into the same case. Returns a stop function.
 */
export function startSupplierDriftWatch(deps: CaseIntakeDeps & { logger: Logger }, everyMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    checkSupplierDrift(deps)
      .catch((err: unknown) => deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'supplier drift check failed; trying again later'))
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, everyMs);
          timer.unref();
        }
      });
  };
  timer = setTimeout(tick, 1000);
  timer.unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
