import type Redis from 'ioredis';
import type { CaseState } from '../domain';

/**
 * The live feed of case changes (docs/inbox.md): the worker publishes one compact change per
 * recorded transition on a Redis channel; every API replica subscribes and fans the changes out
 * to its server-sent-event clients. Pub/sub keeps no history: the feed is a live tail, and a
 * client that reconnects re-reads the queue for what it missed.
 */
export const CASE_FEED_CHANNEL = 'reckon:cases';

export interface CaseChange {
  id: string;
  workflowId: string;
  kind: string;
  site: string;
  sku: string;
  status: string;
  severity: string | null;
  resolution: string | null;
  ownerRole: string | null;
  escalationLevel: number;
  /** grows with every transition; a change with a version already seen is a redelivery */
  rowVersion: number;
  at: string;
}

export function caseChangeOf(state: CaseState, rowVersion: number, at = new Date().toISOString()): CaseChange {
  return {
    id: state.caseId,
    workflowId: state.workflowId,
    kind: state.report.kind,
    site: state.report.site,
    sku: state.report.sku,
    status: state.status,
    severity: state.severity ?? null,
    resolution: state.resolution ?? null,
    ownerRole: state.ownerRole ?? null,
    escalationLevel: state.escalationLevel,
    rowVersion,
    at,
  };
}

/** Publishes a change; rejects when Redis does not take it within `timeoutMs` (callers decide what that means). */
export async function publishCaseChange(redis: Redis, change: CaseChange, timeoutMs = 1000): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not take the change within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([redis.publish(CASE_FEED_CHANNEL, JSON.stringify(change)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Parses a message from the channel; null for anything that is not a change (never trust the wire). */
export function parseCaseChange(text: string): CaseChange | null {
  try {
    const v = JSON.parse(text) as Partial<CaseChange> | null;
    if (!v || typeof v !== 'object') return null;
    if (typeof v.id !== 'string' || typeof v.site !== 'string' || typeof v.kind !== 'string' || typeof v.rowVersion !== 'number') return null;
    return v as CaseChange;
  } catch {
    return null;
  }
}
