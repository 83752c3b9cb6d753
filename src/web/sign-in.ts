import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../api/deps';
import { createSession, deleteSession } from '../store/session-repo';
import { findUser, recordFailedSignin, recordSuccessfulSignin } from '../store/user-repo';
import { html } from './html';
import { page } from './layout';
import { decoyHash, verifyPassword } from './passwords';
import { clearCookie, readCookie, requireCsrf, sameToken, SESSION_COOKIE, setCookie, SIGNIN_CSRF_COOKIE } from './session';

/** Where to go after signing in: a path on this site only (never `//host` or a full URL). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && next.length < 2000 ? next : '/app';
}

function signInPage(req: Request, res: Response, status: number, opts: { user?: string; next: string; error?: string }): void {
  const token = randomBytes(24).toString('base64url');
  setCookie(req, res, SIGNIN_CSRF_COOKIE, token, 3_600_000);
  res.status(status).type('html').send(
    page(
      req,
      'Sign in',
      'none',
      html`<section class="signin">
  <h1>Sign in to Reckon</h1>
  ${opts.error ? html`<p class="alert" role="alert" id="signin-error">${opts.error}</p>` : ''}
  <form method="post" action="/login" class="stack">
    <input type="hidden" name="_csrf" value="${token}">
    <input type="hidden" name="next" value="${opts.next}">
    <label for="user">User name</label>
    <input id="user" name="user" autocomplete="username" required maxlength="64" value="${opts.user ?? ''}"${opts.user ? '' : html` autofocus`}>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${opts.user ? html` autofocus` : ''}>
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>`,
    ),
  );
}

/** GET/POST /login, POST /logout. */
export function signInRoutes(ctx: ApiContext): Router {
  const router = Router();
  const ttlMs = ctx.config.WEB_SESSION_HOURS * 3_600_000;

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, safeNext(req.query.next));
    signInPage(req, res, 200, { next: safeNext(req.query.next) });
  });

  router.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const userId = typeof body.user === 'string' ? body.user.trim().slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    if (!sameToken(typeof body._csrf === 'string' ? body._csrf : undefined, readCookie(req, SIGNIN_CSRF_COOKIE))) {
      return signInPage(req, res, 403, { user: userId, next, error: 'The sign-in form expired or was not sent by this site. Please try again.' });
    }
    const user = userId ? await findUser(ctx.db, userId) : null;
    if (user?.lockedUntil && user.lockedUntil > new Date()) {
      const seconds = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 1000);
      res.set('Retry-After', String(seconds));
      req.log.warn({ user: userId }, 'sign-in refused: account locked');
      return signInPage(req, res, 429, { user: userId, next, error: `Too many failed sign-ins. Try again in ${seconds} s.` });
    }
    // an unknown user costs the same scrypt as a known one, so timing does not tell which names exist
    const ok = (await verifyPassword(password, user && !user.disabled ? user.passwordHash : await decoyHash())) && !!user && !user.disabled;
    if (!ok || !user) {
      if (user) await recordFailedSignin(ctx.db, user.id, ctx.config.WEB_SIGNIN_FREE_TRIES, ctx.config.WEB_SIGNIN_MAX_LOCK_SECONDS);
      req.log.warn({ user: userId }, 'sign-in failed');
      return signInPage(req, res, 401, { user: userId, next, error: 'Wrong user name or password.' });
    }
    await recordSuccessfulSignin(ctx.db, user.id);
    const session = await createSession(ctx.db, user.id, ttlMs);
    setCookie(req, res, SESSION_COOKIE, session.token, ttlMs);
    clearCookie(req, res, SIGNIN_CSRF_COOKIE);
    req.log.info({ user: user.id }, 'signed in');
    res.redirect(303, next);
  });

  router.post('/logout', requireCsrf, async (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) await deleteSession(ctx.db, token);
    clearCookie(req, res, SESSION_COOKIE);
    res.redirect(303, '/login');
  });
  return router;
}
