import { z } from 'zod';

/**
 * A query parameter that holds a list, sent comma-separated (`status=opened,awaiting_approval`,
 * OpenAPI `style: form, explode: false`). Split exactly on commas: an empty or padded item is
 * refused like any other item that breaks the item's syntax. The OpenAPI document states the
 * parameter as an array of the item schema (see `listParameterSchema`).
 */
const LISTS = new WeakMap<z.ZodType, { item: z.ZodType; maxItems: number }>();

export const MAX_LIST_ITEMS = 50;

export function csvList<T extends z.ZodType<string, string>>(item: T, maxItems = MAX_LIST_ITEMS) {
  const schema = z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(item).min(1).max(maxItems));
  LISTS.set(schema, { item, maxItems });
  return schema;
}

/** The list behind a query parameter's schema (through optional and default), if it is one. */
export function listOf(schema: z.ZodType): { item: z.ZodType; maxItems: number } | undefined {
  let s: z.ZodType = schema;
  for (;;) {
    const found = LISTS.get(s);
    if (found) return found;
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else return undefined;
  }
}

/** The nextCursor of a previous page, as issued (base64url). */
export const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'not a cursor issued by this API');
