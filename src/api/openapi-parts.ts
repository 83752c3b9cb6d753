import { z } from 'zod';
import { listOf } from './query-list';

/**
 * The pieces every part of /openapi.json is built from, so a parameter or body is stated from
 * the same zod schema its handler validates with (every pattern and limit included).
 */

export type Json = Record<string, unknown>;

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const problem = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
export const ok = (description: string, schema: Json) => ({ description, content: { 'application/json': { schema } } });

/** A query parameter from its schema: a comma-separated list is an array (`style: form, explode: false`). */
function queryParameter(name: string, schema: z.ZodType, description?: string): Json {
  const list = listOf(schema);
  // required unless the schema takes undefined (optional or defaulted)
  const required = !schema.safeParse(undefined).success;
  const param: Json = { name, in: 'query', required, ...(description ? { description } : {}) };
  if (!list) return { ...param, schema: jsonSchema(schema, 'input') };
  return {
    ...param,
    style: 'form',
    explode: false,
    schema: { type: 'array', items: jsonSchema(list.item, 'input'), minItems: 1, maxItems: list.maxItems },
  };
}

/** Every key of a (strict) query schema as a parameter. */
export function queryParameters(schema: z.ZodObject, descriptions: Record<string, string> = {}): Json[] {
  return Object.entries(schema.shape).map(([name, s]) => queryParameter(name, s as z.ZodType, descriptions[name]));
}

/** A path parameter with its schema's syntax. */
export function pathParameter(name: string, schema: z.ZodType, description?: string): Json {
  return { name, in: 'path', required: true, ...(description ? { description } : {}), schema: jsonSchema(schema, 'input') };
}
