import type { z } from 'zod';
import { ValidationError, type InputSource } from './errors';

/** Parses input with a zod schema; failures become a 400 naming each field as `source.path`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, source: InputSource): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error, source);
  return result.data;
}
