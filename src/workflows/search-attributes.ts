// @temporalio/common is deterministic and is what the workflow SDK re-exports from
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';

/** Typed search attributes for operators filtering in the Temporal UI (docs/operations.md). */
export const kindKey = defineSearchAttributeKey('ReckonKind', SearchAttributeType.KEYWORD);
export const siteKey = defineSearchAttributeKey('ReckonSite', SearchAttributeType.KEYWORD);
export const skuKey = defineSearchAttributeKey('ReckonSku', SearchAttributeType.KEYWORD);
export const severityKey = defineSearchAttributeKey('ReckonSeverity', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('ReckonStatus', SearchAttributeType.KEYWORD);
export const ownerRoleKey = defineSearchAttributeKey('ReckonOwnerRole', SearchAttributeType.KEYWORD);
export const escalationLevelKey = defineSearchAttributeKey('ReckonEscalationLevel', SearchAttributeType.INT);
export const valueAtRiskKey = defineSearchAttributeKey('ReckonValueAtRisk', SearchAttributeType.DOUBLE);
export const slaDeadlineKey = defineSearchAttributeKey('ReckonSlaDeadline', SearchAttributeType.DATETIME);
/** an SLA on the ladder has run out at least once (the API's `breached` filter) */
export const breachedKey = defineSearchAttributeKey('ReckonBreached', SearchAttributeType.BOOL);

/** Name → CLI type, for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, string> = {
  ReckonKind: 'Keyword',
  ReckonSite: 'Keyword',
  ReckonSku: 'Keyword',
  ReckonSeverity: 'Keyword',
  ReckonStatus: 'Keyword',
  ReckonOwnerRole: 'Keyword',
  ReckonEscalationLevel: 'Int',
  ReckonValueAtRisk: 'Double',
  ReckonSlaDeadline: 'Datetime',
  ReckonBreached: 'Bool',
};

/**
 * The pairs of `wanted` whose value differs from `current` (null and absent are the same: unset),
 * plus the `always` keys. Every upsert is a visibility write: sending what did not change costs
 * the server and the history for nothing.
 */
export function changedAttributes(
  current: TypedSearchAttributes,
  wanted: SearchAttributeUpdatePair[],
  always: readonly string[] = [],
): SearchAttributeUpdatePair[] {
  return wanted.filter((p) => always.includes(p.key.name) || !sameValue(current.get(p.key), p.value));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
