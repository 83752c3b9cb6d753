import { join } from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import type { ApiContext } from '../api/deps';
import { toApiError } from '../api/errors';
import { caseRoutes } from './case-page';
import { countRoutes } from './counts-page';
import { docsRoutes } from './docs-page';
import { html } from './html';
import { page } from './layout';
import { opsRoutes } from './ops-page';
import { queueRoutes } from './queue-page';
import { loadSession, requireApiUser, requirePageUser, sessionAsGrant } from './session';
import { signInRoutes } from './sign-in';

const ASSETS = join(__dirname, 'assets');

const PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/** A page for an error: the status and its message, never a stack. */
const errorPage: ErrorRequestHandler = (err, req, res, _next) => {
  const e = toApiError(err);
  if (!e) req.log.error({ err }, 'inbox page failed');
  const status = e?.status ?? 500;
  const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status === 401 ? 'Sign in first' : status < 500 ? 'Cannot do that' : 'Something went wrong';
  const detail = e ? e.message : 'The server could not show this page. Try again in a moment.';
  if (res.headersSent) return;
  if ((req as Request).get('accept')?.includes('text/event-stream') || req.path.endsWith('/results')) {
    res.status(status).type('text').send(detail);
    return;
  }
  res.status(status).type('html').send(page(req, title, 'none', html`<h1>${title}</h1><p class="alert" role="alert" id="error-detail">${detail}</p><p><a href="/app">Back to my queue</a></p>`));
};

/**
 * The inbox for people (sign-in, queue, case page, counts, operations) and /docs, served by the
 * API process. `stream` is the API's live-feed route, which takes a session here instead of a key.
 */
export function webRoutes(ctx: ApiContext, stream: Router): Router {
  const router = Router();
  router.use((req, res, next) => {
    res.set({
      'Content-Security-Policy': PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    });
    if (!req.path.includes('/assets/')) res.set('Cache-Control', 'no-store');
    next();
  });
  router.use('/app/assets', express.static(ASSETS, { index: false, maxAge: '1h', fallthrough: false }));
  router.use(docsRoutes(ASSETS));
  router.get('/', (_req, res) => res.redirect(302, '/app'));

  router.use(['/login', '/logout', '/app'], express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  router.use(['/login', '/logout', '/app'], loadSession(ctx.db));
  router.use(signInRoutes(ctx));
  router.use('/app/stream', requireApiUser, sessionAsGrant, stream);

  const app = Router();
  // the page's script fetches this one: no session is a 401, not a redirect to a page
  app.use('/queue/results', requireApiUser);
  app.use(requirePageUser);
  app.use(queueRoutes(ctx));
  app.use(caseRoutes(ctx));
  app.use(countRoutes(ctx));
  app.use(opsRoutes(ctx));
  router.use('/app', app);
  router.use(['/login', '/logout', '/app'], errorPage);
  return router;
}
