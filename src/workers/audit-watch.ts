import { createHash } from 'node:crypto';
import type { MetricMeter } from '@temporalio/common';
import type { Pool } from 'pg';
import type { NotifierPort } from '../adapters/ports';
import type { Logger } from '../logger';
import { verifyAuditChains } from '../store/audit-repo';

export const AUDIT_METRIC_NAMES = {
  problems: 'reckon_audit_chain_problems',
  runs: 'reckon_audit_verifications_total',
} as const;

export interface AuditWatchDeps {
  db: Pool;
  logger: Logger;
  notifier: NotifierPort;
  meter: MetricMeter;
}

/** problems named in the log line and the notification; the count is always whole */
const NAMED = 50;

/**
 * Verifies every audit chain once: the problem count goes to a gauge (alert on > 0), a failed
 * verification is logged at error and notified to admins. The notification's idempotency key
 * is the problems' digest, so the same damage is announced once, new damage again.
 */
export function createAuditWatch(deps: AuditWatchDeps) {
  const problemsGauge = deps.meter.createGauge(AUDIT_METRIC_NAMES.problems, 'int', undefined, 'audit chain problems found by the last verification (0: intact)');
  const runs = deps.meter.createCounter(AUDIT_METRIC_NAMES.runs, undefined, 'audit chain verifications, by outcome (ok, tampered, failed)');

  async function verifyOnce(): Promise<{ cases: number; rows: number; problems: number }> {
    let result;
    try {
      result = await verifyAuditChains(deps.db);
    } catch (err) {
      runs.add(1, { outcome: 'failed' });
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit verification could not run');
      throw err;
    }
    const count = result.problemCount;
    problemsGauge.set(count);
    runs.add(1, { outcome: count === 0 ? 'ok' : 'tampered' });
    if (count === 0) return { cases: result.cases, rows: result.rows, problems: 0 };
    const named = result.problems.slice(0, NAMED);
    deps.logger.error({ problems: count, named }, 'audit trail verification failed: rows altered, cut or deleted');
    // the problems it lists and how many there are: more damage beyond the listed ones is announced again
    const digest = createHash('sha256').update(JSON.stringify([count, result.problems])).digest('hex').slice(0, 32);
    await deps.notifier
      .notify({
        role: 'admin',
        site: '*',
        caseId: 'audit',
        subject: `Audit trail verification failed: ${count} problem(s)`,
        body: named.map((p) => `${p.caseId} seq ${p.seq}: ${p.problem}`).join('\n'),
        idempotencyKey: `audit-verify:${digest}`,
      })
      .catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'audit alert not notified'));
    return { cases: result.cases, rows: result.rows, problems: count };
  }

  /** Runs now and then every `everyMs` until stopped; never keeps the process alive by itself. */
  function start(everyMs: number): () => void {
    const tick = () => void verifyOnce().catch(() => undefined);
    const first = setTimeout(tick, 1000);
    const timer = setInterval(tick, everyMs);
    first.unref();
    timer.unref();
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }

  return { verifyOnce, start };
}
