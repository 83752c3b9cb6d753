import { jsonSchema, ok, pathParameter, problem, queryParameters, ref, type Json } from './openapi-parts';
import {
  CountPlanId,
  CountPlanListQuery,
  CountPlanPage,
  CountPlanSchema,
  IncidentId,
  IncidentListQuery,
  IncidentPage,
  IncidentSchema,
} from './triage-schemas';

/**
 * The triage side of /openapi.json: incidents, count plans, and the queue's triage parameters,
 * added to the spec built in openapi.ts from the same zod schemas the handlers validate with.
 */

const okRef = (description: string, name: string) => ok(description, ref(name));

const DESCRIPTIONS: Record<string, string> = {
  site: 'comma-separated sites (always limited to the key’s sites)',
  status: 'comma-separated: open, closed',
  kind: 'comma-separated link kinds: bin, user, document, sku_family',
  cursor: 'the nextCursor of the previous page',
};

const errors = {
  '400': problem('invalid input; `errors` names each failing field'),
  '401': problem('missing, unknown or revoked API key'),
  '503': problem('a dependency is unavailable'),
};

function triagePaths(): Json {
  return {
    '/v1/incidents': {
      get: {
        summary: 'Incidents: two or more open cases of a site sharing a bin, a user, a document or a SKU family; newest first, within the key’s sites',
        description:
          'An incident lives while at least two of its cases are open; when fewer remain it closes and its cases leave it. A case may be in several incidents (one per link it shares). ' +
          'SKU family: the item master’s family, else the SKU code without its last segment when it has three or more segments.',
        parameters: queryParameters(IncidentListQuery, DESCRIPTIONS),
        responses: { '200': okRef('one page', 'IncidentPage'), ...errors },
      },
    },
    '/v1/incidents/{id}': {
      get: {
        summary: 'An incident with its cases, shared link, value at risk and top priority',
        parameters: [pathParameter('id', IncidentId, 'incident id')],
        responses: { '200': okRef('the incident', 'Incident'), ...errors, '404': problem('unknown incident, or one of another site') },
      },
    },
    '/v1/count-plans': {
      get: {
        summary: 'Cycle-count plans: each planner run’s ranked bins and the count tasks created, newest first, within the key’s sites',
        parameters: queryParameters(CountPlanListQuery, DESCRIPTIONS),
        responses: { '200': okRef('one page', 'CountPlanPage'), ...errors },
      },
    },
    '/v1/count-plans/{id}': {
      get: {
        summary: 'One planner run',
        parameters: [pathParameter('id', CountPlanId, 'count plan id (the planner run’s workflow id)')],
        responses: { '200': okRef('the plan', 'CountPlan'), ...errors, '404': problem('unknown plan, or one of another site') },
      },
    },
  };
}

const QUEUE_DESCRIPTIONS: Record<string, string> = {
  band: 'comma-separated triage bands (P1 most urgent … P4)',
  sort: '`priority`: triage priority, most urgent first (value at risk × SKU velocity × open orders); `-priority`: the scorer’s priority, highest first',
};

/** Adds the triage paths and schemas, and describes the queue's triage parameters. */
export function withTriage<T extends Json>(spec: T): T {
  const components = spec.components as { schemas: Json };
  components.schemas.Incident = jsonSchema(IncidentSchema, 'output');
  components.schemas.IncidentPage = jsonSchema(IncidentPage, 'output');
  components.schemas.CountPlan = jsonSchema(CountPlanSchema, 'output');
  components.schemas.CountPlanPage = jsonSchema(CountPlanPage, 'output');
  const paths = spec.paths as Record<string, Record<string, { parameters?: { name: string; description?: string }[] }>>;
  for (const p of paths['/v1/discrepancies']?.get?.parameters ?? []) {
    if (QUEUE_DESCRIPTIONS[p.name]) p.description = QUEUE_DESCRIPTIONS[p.name];
  }
  return { ...spec, paths: { ...paths, ...triagePaths() } };
}
