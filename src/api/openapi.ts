import { z } from 'zod';
import { CaseId, DiscrepancyReport, InventoryEvent, PolicyDocument } from '../domain';
import { jsonSchema, ok, pathParameter, problem, queryParameters, ref, type Json } from './openapi-parts';
import { withStatuses } from './openapi-statuses';
import {
  AcceptedCase,
  ApproveBody,
  AssignBody,
  CaseDetail,
  CasePage,
  CommentBody,
  CountAccepted,
  CountResultBody,
  ListQuery,
  PolicyChangeBody,
  PolicyDiff,
  EffectivePolicy,
  EffectivePolicyQuery,
  ProblemSchema,
  RecountBody,
  RejectBody,
  RepinBatchBody,
  RepinBody,
  ResolveManuallyBody,
  RetryBody,
  UpdateResultSchema,
} from './schemas';
import { withAccuracy } from './openapi-accuracy';
import { withOperations } from './openapi-ops';
import { withTriage } from './openapi-triage';
import { EventBatchResult, EventResult, MAX_EVENTS_PER_BATCH } from './services/events';

/**
 * /openapi.json, generated from the same zod schemas the handlers validate with (request bodies
 * in their input form: defaults optional). OpenAPI 3.1 uses JSON Schema 2020-12, zod's default.
 */

const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const CASE_ID = pathParameter('id', CaseId, 'case id');
const VERSION = z.number().int().min(1).max(1_000_000_000);

const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  DiscrepancyReport,
  InventoryEvent,
  // each item is validated on its own, as an InventoryEvent: an item that is not one is answered `invalid`, not refused
  EventBatch: z
    .object({ events: z.array(z.unknown().describe('an InventoryEvent; each is validated on its own')).min(1).max(MAX_EVENTS_PER_BATCH) })
    .strict(),
  PolicyDocument,
  PolicyChangeBody,
  ApproveBody,
  RejectBody,
  RecountBody,
  AssignBody,
  CommentBody,
  RetryBody,
  ResolveManuallyBody,
  RepinBody,
  RepinBatchBody,
  CountResultBody,
};
const RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  Problem: ProblemSchema,
  AcceptedCase,
  UpdateResult: UpdateResultSchema,
  CasePage,
  CaseDetail,
  CountAccepted,
  EventResult,
  EventBatchResult,
  Policy: z.object({ version: z.number().int(), document: PolicyDocument }),
  PolicyDiff,
  EffectivePolicy,
  EffectivePolicyQuery,
};

const LIST_DESCRIPTIONS: Record<string, string> = {
  status: 'comma-separated case statuses',
  kind: 'comma-separated discrepancy kinds',
  severity: 'comma-separated severities',
  site: 'comma-separated sites (always limited to the key’s sites)',
  breached: 'only cases past (true) or within (false) their SLA',
  shadow: 'only shadow-mode cases (true: decided and recorded, nothing written) or only cases Reckon acted on (false)',
  cursor: 'the nextCursor of the previous page',
};

const standardErrors = {
  '400': problem('invalid input: it breaks what this document states; `errors` names each failing field'),
  '401': problem('missing, unknown or revoked API key'),
  '403': problem('the key’s role does not allow this'),
  '503': problem('a dependency (Postgres, Temporal) is unavailable'),
};

function action(summary: string, bodyName: string): Json {
  return {
    post: {
      summary,
      parameters: [CASE_ID],
      requestBody: body(bodyName),
      responses: {
        '200': ok('the workflow accepted the action', ref('UpdateResult')),
        ...standardErrors,
        '403': problem('wrong role for this case (from the API or the workflow’s validator)'),
        '404': problem('unknown case, or a case of a site outside the key’s sites'),
        '409': problem('the case is closed or not in a state that takes this action'),
        '422': problem('a rule refused the action (segregation of duties, approval limit, four eyes, the adjustment allowed)'),
      },
    },
  };
}

export function buildOpenApi(): Json {
  const schemas: Json = {};
  for (const [name, s] of Object.entries(REQUEST_SCHEMAS)) schemas[name] = jsonSchema(s, 'input');
  for (const [name, s] of Object.entries(RESPONSE_SCHEMAS)) schemas[name] = jsonSchema(s, 'output');

  return withStatuses(withOperations(withAccuracy(withTriage({
    openapi: '3.1.0',
    info: {
      title: 'Reckon API',
      version: '1',
      description:
        'Inventory discrepancy cases. Errors are application/problem+json. 400: the request breaks what this document states (`errors` names the fields); 422: it is well-formed but a rule refuses it. ' +
        'Anything of a site outside the key’s sites (cases, count tasks, incidents, plans, a site asked for by name) answers 404 exactly as an unknown id: its existence is not revealed. ' +
        'A method a path does not declare answers 405 with `Allow`. A body must be application/json (else 415); an event or a report is at most MAX_EVENT_BYTES (262144 by default) as sent (else 413).',
    },
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
    paths: {
      '/v1/discrepancies': {
        post: {
          summary: 'Report a discrepancy: starts a case or merges into the open case with the same dedupe key (integration, admin)',
          requestBody: body('DiscrepancyReport'),
          responses: { '202': ok('accepted; Location points at the case', ref('AcceptedCase')), ...standardErrors, '403': problem('the key’s role or sites do not allow reporting for this site') },
        },
        get: {
          summary: 'The queue, from the read model',
          parameters: queryParameters(ListQuery, LIST_DESCRIPTIONS),
          responses: { '200': ok('one page', ref('CasePage')), ...standardErrors },
        },
      },
      '/v1/discrepancies/{id}': {
        get: {
          summary: 'A case: read-model row, live workflow state when reachable, evidence, score, timeline',
          parameters: [CASE_ID],
          responses: { '200': ok('the case', ref('CaseDetail')), ...standardErrors, '404': problem('unknown case, or a case of another site') },
        },
      },
      '/v1/discrepancies/{id}/approve': action('Approve the adjustment', 'ApproveBody'),
      '/v1/discrepancies/{id}/reject': action('Reject: no change to stock', 'RejectBody'),
      '/v1/discrepancies/{id}/recount': action('Ask for a recount', 'RecountBody'),
      '/v1/discrepancies/{id}/assign': action('Claim or reassign', 'AssignBody'),
      '/v1/discrepancies/{id}/comments': action('Comment', 'CommentBody'),
      '/v1/discrepancies/{id}/retry': action('needs_attention: run the refused write again', 'RetryBody'),
      '/v1/discrepancies/{id}/resolve-manually': action('needs_attention: settled outside Reckon; closes the case and releases its hold', 'ResolveManuallyBody'),
      '/v1/discrepancies/{id}/repin': action('admin: move an open case to another policy version (SLA deadlines recomputed)', 'RepinBody'),
      '/v1/discrepancies/repin': {
        post: {
          summary: 'admin: re-pin a chosen set of open cases to a stored policy version, each audited',
          requestBody: body('RepinBatchBody'),
          responses: {
            '200': ok('one result per case: 200 re-pinned, else the status a single call would answer', {
              type: 'object',
              properties: {
                results: {
                  type: 'array',
                  items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } }, required: ['id', 'status', 'detail'] },
                },
              },
              required: ['results'],
            }),
            ...standardErrors,
          },
        },
      },
      '/v1/events': {
        post: {
          summary: `Canonical inventory events (integration, admin): one event, or { events: [...] } with up to ${MAX_EVENTS_PER_BATCH}`,
          description:
            'Each event is stored once per (source, eventId) — a redelivery is a `duplicate` and changes nothing — applied to the reference ledger, and run through the detectors; cases opened or joined are listed. ' +
            'A batch answers 200 with a result per item (`accepted`, `duplicate`, `invalid` with its failing fields, `forbidden` outside the key’s sites): an invalid item does not fail the others. ' +
            'A single event that is invalid answers 400, outside the key’s sites 403. On 503 the events stored so far are kept; resending finishes them.',
          requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [ref('InventoryEvent'), ref('EventBatch')] } } } },
          responses: {
            '200': ok('one event: its result; a batch: a result per item', { oneOf: [ref('EventResult'), ref('EventBatchResult')] }),
            ...standardErrors,
            '400': problem('a single invalid event, or a batch body that is not { events: [1..1000 items] }; `errors` names the fields'),
            '403': problem('a single event for a site outside the key’s sites'),
            '413': problem('a single event over MAX_EVENT_BYTES, or a batch body over 8 MB (a batch item over MAX_EVENT_BYTES is `invalid`)'),
          },
        },
      },
      '/v1/counts': {
        post: {
          summary: 'A count result for a count task (integration, admin)',
          requestBody: body('CountResultBody'),
          responses: {
            '202': ok('recorded and signalled to the case', ref('CountAccepted')),
            ...standardErrors,
            '404': problem('unknown count task, or a task of a site outside the key’s sites'),
            '409': problem('the task already has a different result, or the case is closed'),
          },
        },
      },
      '/v1/policies/active': { get: { summary: 'The active policy; its ETag is the version a change names in If-Match', responses: { '200': ok('the policy', ref('Policy')), ...standardErrors } } },
      '/v1/policies/effective': {
        get: {
          summary: 'The policy as it applies at a site (its override layer merged), and for each value the layer it came from',
          parameters: queryParameters(EffectivePolicyQuery),
          responses: { '200': ok('the effective policy', ref('EffectivePolicy')), ...standardErrors, '404': problem('unknown version') },
        },
      },
      '/v1/policies/{version}': {
        get: {
          summary: 'A policy version',
          parameters: [pathParameter('version', VERSION)],
          responses: { '200': ok('the policy', ref('Policy')), ...standardErrors, '404': problem('unknown version') },
        },
      },
      '/v1/policies/{from}/diff/{to}': {
        get: {
          summary: 'What changed from one policy version to another, leaf by leaf',
          parameters: ['from', 'to'].map((name) => pathParameter(name, VERSION)),
          responses: { '200': ok('the changes', ref('PolicyDiff')), ...standardErrors, '404': problem('unknown version') },
        },
      },
      '/v1/policies': {
        post: {
          summary: 'Store a new policy version (admin): the document and a reason, both kept; the change is chained in the audit log',
          parameters: [{ name: 'If-Match', in: 'header', required: true, description: 'the version the change is made from, as the ETag gives it ("7")', schema: { type: 'string' } }],
          requestBody: body('PolicyChangeBody'),
          responses: {
            '201': ok('the new version', ref('Policy')),
            ...standardErrors,
            '412': problem('another version became active since the If-Match one: read it again'),
            '428': problem('If-Match is missing'),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'the process runs' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness per dependency; 200 when Postgres and Temporal answer (Redis down: degraded)',
          security: [],
          responses: { '200': { description: 'ready or degraded' }, '503': { description: 'Postgres or Temporal unavailable' } },
        },
      },
    },
  }))));
}
