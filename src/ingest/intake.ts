import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { IntakePorts } from './event-intake';
import { EventCoalescer } from './event-coalescer';
import type { DecodedMessage } from './queue-message';
import { startOrMergeCase } from './start-case';

export interface IntakeDeps extends IntakePorts {
  temporal: Client;
  db: Pool;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'ADAPTER'>;
}

export type IntakeOutcome =
  | { kind: 'event'; status: 'accepted' | 'duplicate'; cases: string[] }
  | { kind: 'discrepancy'; caseId: string; workflowId: string };

/** How long one Temporal call of the intake may take before it counts as a (transient) failure. */
const TEMPORAL_CALL_MS = 10_000;

const coalescers = new WeakMap<IntakeDeps, EventCoalescer>();
function coalescerFor(deps: IntakeDeps): EventCoalescer {
  let c = coalescers.get(deps);
  if (!c) {
    const withTemporal = <T>(call: () => Promise<T>) => deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_MS, call);
    c = new EventCoalescer({ ...deps, withTemporal });
    coalescers.set(deps, c);
  }
  return c;
}

/**
 * Durable intake of a decoded message: when this resolves the event is stored and its cases
 * and watchers are signalled, or the report's signalWithStart has returned. Throws when a dependency fails; see `permanentFailure`.
 */
export async function takeIn(deps: IntakeDeps, msg: Extract<DecodedMessage, { ok: true }>): Promise<IntakeOutcome> {
  const withTemporal = <T>(call: () => Promise<T>) => deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_MS, call);
  if (msg.kind === 'event') {
    // the same intake as POST /v1/events: stored, detected, cases opened, watchers signalled;
    // events arriving together (prefetch) are taken in as one batch
    const r = await coalescerFor(deps).take(msg.event);
    if (r.status !== 'accepted' && r.status !== 'duplicate') throw new Error(`the decoded event was refused: ${r.status}`);
    return { kind: 'event', status: r.status, cases: r.cases };
  }
  const accepted = await startOrMergeCase(deps, msg.report, { withTemporal });
  return { kind: 'discrepancy', caseId: accepted.id, workflowId: accepted.workflowId };
}

/**
 * A failure that the same message would meet on every attempt: Postgres refusing the data
 * itself (SQLSTATE class 22 data exception, e.g. a NUL character in a text field; 23 integrity
 * constraint; 54 program limit). Anything else (unreachable, timed out, shutting down) is
 * transient: the message is held and retried, never dead-lettered. Returns the reason, or null.
 */
export function permanentFailure(err: unknown): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(22|23|54)[0-9A-Z]{3}$/.test(code)) {
    return `Postgres refused the data (SQLSTATE ${code}): ${String(e?.message ?? '')}`.slice(0, 500);
  }
  return null;
}
