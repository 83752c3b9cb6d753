import type { MetricMeter } from '@temporalio/common';
import type { CaseChange } from '../store/case-feed';

/**
 * Reckon's own worker counters. They go through the Temporal runtime's metric meter, so they
 * are served by the same Prometheus endpoint as the SDK's metrics (one scrape target per worker,
 * no second HTTP server); without a metrics exporter installed the meter drops them.
 */
export interface WorkerMetrics {
  /** a transition was committed to the read model and the audit log */
  transitionRecorded(change: CaseChange, auditActions: string[]): void;
  casePublished(ok: boolean): void;
}

export const WORKER_METRIC_NAMES = {
  transitions: 'reckon_case_transitions_total',
  closed: 'reckon_cases_closed_total',
  slaBreaches: 'reckon_sla_breaches_total',
  escalations: 'reckon_escalations_total',
  published: 'reckon_case_feed_published_total',
  publishFailures: 'reckon_case_feed_publish_failures_total',
} as const;

export function createWorkerMetrics(meter: MetricMeter): WorkerMetrics {
  const transitions = meter.createCounter(WORKER_METRIC_NAMES.transitions, undefined, 'case transitions recorded, by kind and the status entered');
  const closed = meter.createCounter(WORKER_METRIC_NAMES.closed, undefined, 'cases closed, by kind and resolution');
  const slaBreaches = meter.createCounter(WORKER_METRIC_NAMES.slaBreaches, undefined, 'SLA breaches on the escalation ladder, by kind and site');
  const escalations = meter.createCounter(WORKER_METRIC_NAMES.escalations, undefined, 'escalations to the next rung, by kind and site');
  const published = meter.createCounter(WORKER_METRIC_NAMES.published, undefined, 'case changes published on the live feed');
  const publishFailures = meter.createCounter(
    WORKER_METRIC_NAMES.publishFailures,
    undefined,
    'case changes the live feed did not take (Redis down or slow); the transition itself was recorded',
  );
  return {
    transitionRecorded(change, auditActions) {
      transitions.add(1, { kind: change.kind, status: change.status });
      if (change.status === 'closed' && change.resolution) closed.add(1, { kind: change.kind, resolution: change.resolution });
      for (const action of auditActions) {
        if (action === 'sla_breached') slaBreaches.add(1, { kind: change.kind, site: change.site });
        if (action === 'escalated') escalations.add(1, { kind: change.kind, site: change.site });
      }
    },
    casePublished(ok) {
      (ok ? published : publishFailures).add(1);
    },
  };
}
