import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../workflows/search-attributes';

type IndexedValueType = NonNullable<ReturnType<typeof encodeSearchAttributeIndexedValueType>>;

export interface SearchAttributePlan {
  /** name → type to create */
  create: Record<string, IndexedValueType>;
  present: string[];
  /** registered under the same name with another type: Reckon cannot use them */
  conflicts: { name: string; want: string; have: number }[];
}

/** Reckon's search attributes as the server names their types (from src/workflows/search-attributes.ts). */
export function wantedSearchAttributes(): Record<string, IndexedValueType> {
  const out: Record<string, IndexedValueType> = {};
  for (const [name, cliType] of Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES)) {
    const t = encodeSearchAttributeIndexedValueType(cliType.toUpperCase() as 'KEYWORD');
    if (t === undefined) throw new Error(`search attribute ${name}: unknown type ${cliType}`);
    out[name] = t;
  }
  return out;
}

export function planSearchAttributes(existing: Record<string, number>, wanted = wantedSearchAttributes()): SearchAttributePlan {
  const plan: SearchAttributePlan = { create: {}, present: [], conflicts: [] };
  for (const [name, type] of Object.entries(wanted)) {
    const have = existing[name];
    if (have === undefined) plan.create[name] = type;
    else if (have === type) plan.present.push(name);
    else plan.conflicts.push({ name, want: SEARCH_ATTRIBUTE_CLI_TYPES[name], have });
  }
  return plan;
}

/**
 * Registers Reckon's search attributes on a self-hosted cluster, through the operator service
 * (what `temporal operator search-attribute create` calls). Idempotent: present attributes are
 * left alone; one registered with another type is an error, since upserts would then fail.
 * Temporal Cloud refuses this call: there, create them with `tcld` or the Cloud UI.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<SearchAttributePlan> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const existing: Record<string, number> = {};
  for (const [name, type] of Object.entries(listed.customAttributes ?? {})) existing[name] = Number(type);
  const plan = planSearchAttributes(existing);
  if (plan.conflicts.length > 0) {
    const list = plan.conflicts.map((c) => `${c.name} (wanted ${c.want})`).join(', ');
    throw new Error(`search attributes registered with another type in namespace ${namespace}: ${list}`);
  }
  if (Object.keys(plan.create).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: plan.create });
  }
  return plan;
}
