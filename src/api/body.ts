import express, { type RequestHandler } from 'express';
import { PayloadTooLarge, UnsupportedMediaType, ValidationError } from './errors';

/** Deeper JSON is refused: no schema of the API nests this far, and deep values cost recursion. */
export const MAX_BODY_DEPTH = 32;

/** The media types a body may have; anything else is 415 (a text/plain body is never guessed at). */
export const ACCEPTED_BODY_TYPES = ['application/json'] as const;

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

/** A body of another media type is refused before anything reads it (once parsed, `req.body` is set and this passes). */
const mediaTypeGuard: RequestHandler = (req, _res, next) => {
  // an empty body (Content-Length: 0) has no type to judge; req.is is false for a body of another type
  const empty = req.get('content-length') === '0' || (req.get('content-length') === undefined && req.get('transfer-encoding') === undefined);
  if (req.body === undefined && !empty && req.is([...ACCEPTED_BODY_TYPES]) === false) {
    const given = req.get('content-type') ?? 'none';
    throw new UnsupportedMediaType(`the body must be ${ACCEPTED_BODY_TYPES.join(' or ')}; it was sent as ${given.slice(0, 100)}`, ACCEPTED_BODY_TYPES);
  }
  next();
};

/** The JSON body parser with a media-type check, a size limit and a depth limit (problem+json, never a 500). */
export function jsonBody(limit: string): RequestHandler[] {
  return [
    mediaTypeGuard,
    // the raw size is kept: an event or report is capped on its bytes as sent (see capOf)
    express.json({ limit, verify: (req, _res, buf) => void ((req as express.Request).bodyBytes = buf.length) }),
    depthGuard,
  ];
}

/**
 * One event or report is at most MAX_EVENT_BYTES as sent, on every door (HTTP here, each item of
 * a batch, the queue): 413 naming the limit.
 */
export function capOf(what: string, bytes: number, max: number): void {
  if (bytes > max) throw new PayloadTooLarge(`${what} is ${bytes} bytes; the limit is ${max} bytes (MAX_EVENT_BYTES)`);
}
