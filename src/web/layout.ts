import type { Request } from 'express';
import { html, type Html } from './html';

export type Section = 'queue' | 'counts' | 'ops' | 'docs' | 'none';

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'queue', href: '/app', label: 'My queue' },
  { section: 'counts', href: '/app/counts', label: 'Counts' },
  { section: 'ops', href: '/app/ops', label: 'Operations' },
  { section: 'docs', href: '/docs', label: 'API reference' },
];

/** The page shell: no inline script or style (CSP), one stylesheet and one small script. */
export function page(req: Request, title: string, section: Section, body: Html): string {
  const user = req.user;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Reckon</title>
<link rel="stylesheet" href="/app/assets/app.css">
<script src="/app/assets/app.js" defer></script>
</head>
<body${req.csrfToken ? html` data-csrf="${req.csrfToken}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/app">Reckon</a>
  ${user
    ? html`<nav aria-label="Main"><ul>${NAV.map(
        (n) => html`<li><a href="${n.href}"${n.section === section ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )}</ul></nav>
  <form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">
    <span class="who" title="${user.roles.join(', ')} · ${user.sites.join(', ')}">${user.name}</span>
    <button type="submit">Sign out</button>
  </form>`
    : ''}
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`.text;
}
