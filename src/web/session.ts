import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { Forbidden, Unauthorized } from '../api/errors';
import type { Actor } from '../domain';
import { findSession } from '../store/session-repo';
import './request';

export const SESSION_COOKIE = 'reckon_session';
/** the sign-in form's CSRF token (double-submit: no session exists yet) */
export const SIGNIN_CSRF_COOKIE = 'reckon_signin';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** HttpOnly, SameSite=Lax, Path=/; Secure when the request came over TLS (directly or via a trusted proxy). */
export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeMs?: number): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }) });
}

export function clearCookie(req: Request, res: Response, name: string): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}

/** Sets req.user and req.csrfToken when the cookie names a live session; never refuses. */
export function loadSession(db: Pool): RequestHandler {
  return async (req, _res, next) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) {
      const session = await findSession(db, token);
      if (session) {
        req.user = session.user;
        req.csrfToken = session.csrfToken;
        req.log = req.log.child({ userId: session.user.id, via: 'session' });
      }
    }
    next();
  };
}

/** Pages: without a session, to the sign-in page (and back here after it). */
export const requirePageUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (req.method !== 'GET') throw new Unauthorized('sign in first');
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
};

/** Calls made by the page's script (live feed, fragments): 401 without a session. */
export const requireApiUser: RequestHandler = (req, _res, next) => {
  if (!req.user) throw new Unauthorized('sign in first');
  next();
};

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every mutating request carries the session's CSRF token (form field `_csrf` or header
 * X-CSRF-Token), and a cross-origin Origin header is refused outright.
 */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== req.get('host')) throw new Forbidden('cross-origin request refused');
  }
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  if (!sameToken(typeof sent === 'string' ? sent : undefined, req.csrfToken)) {
    throw new Forbidden('the form is stale or forged (CSRF token mismatch); reload the page and try again');
  }
  next();
};

/** The person as the workflow's validators see them: the same shape an API key gives. */
export function actorOfUser(req: Request): Actor {
  if (!req.user) throw new Unauthorized('sign in first');
  return { userId: req.user.id, roles: [...req.user.roles], sites: [...req.user.sites] };
}

/**
 * The auth adapter for routes shared with the API (the live feed): a session stands in for a
 * key, with the person's roles and sites.
 */
export const sessionAsGrant: RequestHandler = (req, _res, next) => {
  if (!req.user) throw new Unauthorized('sign in first');
  req.auth = { id: 'session', userId: req.user.id, roles: [...req.user.roles], sites: [...req.user.sites] };
  next();
};
