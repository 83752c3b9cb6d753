import { CaseChangeSchema, KpiQuery, KpisSchema, StreamQuery } from './ops-schemas';
import { NotificationQuery } from './routes/notifications';
import { jsonSchema, problem, queryParameters, ref, type Json } from './openapi-parts';

/**
 * The operations side of /openapi.json: the live feed, KPIs, /metrics, and what every /v1 route
 * shares (rate limits; Idempotency-Key on every mutating route), added to the spec built in
 * openapi.ts from the same zod schemas the handlers validate with.
 */

const QUERY_DESCRIPTIONS: Record<string, string> = {
  site: 'comma-separated sites, each within the key’s sites (else 404, as for an unknown site); default: the key’s sites',
  kind: 'comma-separated discrepancy kinds',
  from: 'start of the window, inclusive (ISO date or date-time); default: 30 days before `to`',
  to: 'end of the window, exclusive; default: now',
};

const intHeader = (description: string) => ({ description, schema: { type: 'integer' } });

const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': intHeader('requests allowed per minute for this API key'),
  'RateLimit-Remaining': intHeader('requests left in the current window'),
  'RateLimit-Reset': intHeader('seconds until the window resets'),
};
const TOO_MANY = problem('more requests this minute than the key’s limit, or (reports) more at once than the intake takes, or Temporal is busy: nothing was started; retry after Retry-After', { 'Retry-After': intHeader('seconds to wait'), ...RATE_LIMIT_HEADERS });
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key (per API key) with the same request answers the stored response (`Idempotent-Replayed: true`) without acting again, for IDEMPOTENCY_TTL_SECONDS. Use a new key for each new request: the same key with another request is 422; while the first request runs, 409.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
};
const MUTATING = ['post', 'put', 'patch', 'delete'];

function appendResponse(responses: Json, status: string, description: string): void {
  const existing = responses[status] as { description?: string } | undefined;
  responses[status] = existing ? { ...existing, description: `${existing.description ?? ''}; or ${description}` } : problem(description);
}

const standardErrors = {
  '400': problem('invalid input; `errors` names each failing field'),
  '401': problem('missing, unknown or revoked API key'),
  '404': problem('a requested site is outside the key’s sites (as for an unknown site)'),
  '503': problem('a dependency is unavailable'),
};

/**
 * One event of GET /v1/stream, as a client's SSE parser hands it over. Before Open API 3.2
 * (`itemSchema`), the `schema` of an event stream describes each event, not the stream's text.
 */
const STREAM_EVENT: Json = {
  type: 'object',
  required: ['event', 'data'],
  properties: {
    event: { type: 'string', enum: ['case', 'resync', 'revoked'], description: '`case`: a case changed; `resync`: changes may have been missed, re-read the queue; `revoked`: the key was revoked or expired, the stream ends' },
    data: {
      type: 'string',
      contentMediaType: 'application/json',
      contentSchema: ref('CaseChange'),
      description: 'for `case`, a CaseChange as JSON; `{}` for the others',
    },
    id: { type: 'string', description: '`<caseId>:<rowVersion>` of the last `case` event' },
    retry: { type: 'integer', minimum: 0, description: 'how long to wait before reconnecting, in ms' },
  },
};

function operationsPaths(): Json {
  return {
    '/v1/stream': {
      get: {
        summary: 'Live feed of case changes (server-sent events), within the key’s sites',
        description:
          'Each change is `event: case`, `id: <caseId>:<rowVersion>`, `data:` a CaseChange; a change with a rowVersion already seen is a redelivery. ' +
          'A comment every 15 s keeps the connection open. `event: resync` means changes may have been missed: re-read the queue. ' +
          'The feed is a live tail (no replay of past changes).',
        parameters: queryParameters(StreamQuery, QUERY_DESCRIPTIONS),
        responses: {
          '200': { description: 'the stream', content: { 'text/event-stream': { schema: STREAM_EVENT } } },
          ...standardErrors,
          '503': problem('the feed’s Redis cannot be reached (the rest of the API works)'),
        },
      },
    },
    '/v1/kpis': {
      get: {
        summary: 'KPIs of the cases opened in a window, within the key’s sites',
        parameters: queryParameters(KpiQuery, QUERY_DESCRIPTIONS),
        responses: {
          '200': { description: 'the KPIs', content: { 'application/json': { schema: ref('Kpis') } } },
          ...standardErrors,
        },
      },
    },
    '/v1/notifications': {
      get: {
        summary: 'Email, webhook and chat sends with their outcome and every try, newest first, within the key’s sites',
        description: '`status=dead` lists what never got through after the policy’s tries (`notifications.attempts`).',
        parameters: queryParameters(NotificationQuery, QUERY_DESCRIPTIONS),
        responses: {
          '200': { description: 'the sends', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } } } } },
          ...standardErrors,
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (no key: aggregates only; keep it off the public network)',
        security: [],
        responses: { '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
  };
}

/** Adds the operations paths and schemas, and the rate-limit and idempotency contract of every /v1 route. */
export function withOperations<T extends Json>(spec: T): T {
  const components = spec.components as { schemas: Json };
  components.schemas.CaseChange = jsonSchema(CaseChangeSchema, 'output');
  components.schemas.Kpis = jsonSchema(KpisSchema, 'output');
  const paths = { ...(spec.paths as Json), ...operationsPaths() } as Record<string, Record<string, Json>>;
  for (const [path, ops] of Object.entries(paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const responses = (op.responses ??= {}) as Json;
      responses['429'] = TOO_MANY;
      if (!MUTATING.includes(method)) continue;
      const params = (op.parameters ??= []) as { name?: string; in?: string }[];
      const i = params.findIndex((p) => p.in === 'header' && p.name?.toLowerCase() === 'idempotency-key');
      if (i >= 0) params[i] = IDEMPOTENCY_KEY;
      else params.push(IDEMPOTENCY_KEY);
      appendResponse(responses, '409', 'a request with this Idempotency-Key is still in progress');
      appendResponse(responses, '422', 'this Idempotency-Key was used with a different request');
    }
  }
  return { ...spec, paths };
}
