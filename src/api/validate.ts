import type { z } from 'zod';
import { ValidationError, type InputSource } from './errors';

/**
 * Parses input with a zod schema; failures name each field as `source.path`: 400 when the input
 * breaks what the OpenAPI document states, 422 when only a rule beyond it fails (see
 * ValidationError). Strings holding a NUL character are refused first, wherever they are (422):
 * Postgres can store them neither as text nor in jsonb, so a case carrying one could never be
 * recorded and would retry its projection forever.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: InputSource,
  /** for an envelope whose items are validated one by one (an event batch): a NUL fails its item only */
  opts: { itemsCheckedApart?: boolean } = {},
): z.output<S> {
  const nul = opts.itemsCheckedApart ? [] : nulPaths(value);
  if (nul.length > 0) {
    throw ValidationError.rule(nul.map((p) => ({ path: [source, ...p].join('.'), message: 'must not contain NUL (\\u0000) characters' })));
  }
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error, source);
  return result.data;
}

const MAX_REPORTED = 20;

/** Paths of strings (values or keys) containing U+0000; iterative, so deep nesting cannot overflow the stack. */
function nulPaths(root: unknown): string[][] {
  const found: string[][] = [];
  const stack: [unknown, string[]][] = [[root, []]];
  while (stack.length > 0 && found.length < MAX_REPORTED) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) found.push(path);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) found.push([...path, k.replaceAll('\u0000', '\\u0000')]);
        else stack.push([v, [...path, k]]);
      }
    }
  }
  return found;
}
