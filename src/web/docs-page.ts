import { dirname } from 'node:path';
import express, { Router } from 'express';

/** Swagger UI's files, from the pinned npm package (no CDN). */
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * GET /docs: the interactive reference of /openapi.json (Swagger UI). "Authorize" takes an API
 * key for the bearer scheme, and "Try it out" sends real calls to this API from the browser.
 */
export function docsRoutes(assetsDir: string): Router {
  const router = Router();
  router.use('/docs/assets/swagger', express.static(SWAGGER_DIR, { index: false, maxAge: '1d', fallthrough: false }));
  router.get('/docs/assets/docs.js', (_req, res) => res.sendFile('docs.js', { root: assetsDir }));
  router.get('/docs', (_req, res) => {
    // Swagger UI styles its widgets inline; scripts stay same-origin only
    res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    res.type('html').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reckon API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger/swagger-ui.css">
<link rel="stylesheet" href="/app/assets/app.css">
<script src="/docs/assets/swagger/swagger-ui-bundle.js" defer></script>
<script src="/docs/assets/docs.js" defer></script>
</head>
<body class="docs">
<header class="top"><a class="brand" href="/app">Reckon</a><nav aria-label="Main"><ul><li><a href="/app">Inbox</a></li><li><a href="/openapi.json">openapi.json</a></li></ul></nav></header>
<main id="main"><p class="docs-intro">Every <code>/v1</code> call needs an API key: press <strong>Authorize</strong>, paste the key (from <code>npm run keys -- create …</code>, or <code>data/admin.key</code> on a local stack), then <strong>Try it out</strong> on any operation.</p>
<div id="swagger"></div></main>
</body>
</html>`);
  });
  return router;
}
