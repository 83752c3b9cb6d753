import express, { type RequestHandler } from 'express';
import { ValidationError } from './errors';

/** Deeper JSON is refused: no schema of the API nests this far, and deep values cost recursion. */
export const MAX_BODY_DEPTH = 32;

/** Depth of a parsed JSON value, counted iteratively (a deep body cannot overflow the stack here). */
export function depthOf(root: unknown, stopAt = MAX_BODY_DEPTH + 1): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max >= stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

const depthGuard: RequestHandler = (req, _res, next) => {
  if (depthOf(req.body) > MAX_BODY_DEPTH) throw new ValidationError([{ path: 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]);
  next();
};

/** The JSON body parser with a size limit and a depth limit (400 problem+json, never a 500). */
export function jsonBody(limit: string): RequestHandler[] {
  return [express.json({ limit }), depthGuard];
}
