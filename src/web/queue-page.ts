import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../api/deps';
import { ValidationError } from '../api/errors';
import { parseInput } from '../api/validate';
import { CASE_STATUSES, CaseId, DiscrepancyKind, OPEN_CASE_STATUSES, Severity, SiteId } from '../domain';
import { decodeCursor, encodeCursor, listQueue, type CaseFilter, type QueueRow } from '../store/discrepancy-queries';
import { countQueue, countSearch, type CountedSearch, type QueueCounts } from '../store/inbox-queries';
import { searchSample, surelyBroad } from '../store/search-sample';
import { broadSearchKey } from './broad-searches';
import { DONE } from './case-page';
import { formatDuration, html, money, qs, words, type Html } from './html';
import { page } from './layout';
import { actorOfUser, requireApiUser } from './session';

const flag = z.enum(['1', 'on', 'true']).transform(() => true).optional();
const optionalText = (max: number) => z.string().trim().max(max).transform((v) => (v === '' ? undefined : v)).optional();

/** The queue's filters as the form and the links send them. */
const QueueQuery = z
  .object({
    site: z.union([z.literal(''), SiteId]).transform((v) => v || undefined).optional(),
    kind: z.union([z.literal(''), DiscrepancyKind]).transform((v) => v || undefined).optional(),
    severity: z.union([z.literal(''), Severity]).transform((v) => v || undefined).optional(),
    status: z.union([z.literal(''), z.enum(CASE_STATUSES)]).transform((v) => v || undefined).optional(),
    assignee: optionalText(64),
    q: optionalText(100),
    mine: flag,
    breached: flag,
    /** every role's cases, not only the ones the person's roles own */
    all: flag,
    cursor: z.string().min(1).max(1024).optional(),
    /** where the case page sends a person after an approval or a rejection: the queue says it was recorded */
    done: z.enum(['approve', 'reject']).optional(),
    case: CaseId.optional(),
  })
  .strict();
type QueueQuery = z.output<typeof QueueQuery>;

/** The queue's own query, for its paging links: without the one-off note of an action just done. */
const listQuery = (req: Request): Record<string, string | undefined> => ({ ...(req.query as Record<string, string>), done: undefined, case: undefined });

export const SLA_NEAR_MS = 3_600_000;

export function slaClass(deadline: string | null, now = Date.now()): string {
  if (!deadline) return 'sla-none';
  const left = Date.parse(deadline) - now;
  return left <= 0 ? 'sla-breached' : left <= SLA_NEAR_MS ? 'sla-near' : 'sla-ok';
}

function slaCell(c: QueueRow): Html {
  if (!c.slaDeadline) return html`<td class="sla sla-none">—</td>`;
  const left = Date.parse(c.slaDeadline) - Date.now();
  return html`<td class="sla ${slaClass(c.slaDeadline)}" data-deadline="${c.slaDeadline}">${left <= 0 ? `breached ${formatDuration(-left)} ago` : formatDuration(left)}</td>`;
}

function scopeOf(req: Request, q: QueueQuery): CaseFilter {
  const user = req.user!;
  const allRoles = q.all || user.roles.includes('admin');
  return {
    visibleSites: user.sites.includes('*') ? undefined : user.sites,
    ownerRoles: allRoles ? undefined : user.roles,
    text: q.q,
  };
}

async function loadQueue(ctx: ApiContext, req: Request, q: QueueQuery) {
  const user = req.user!;
  const scope = scopeOf(req, q);
  const filter: CaseFilter = {
    ...scope,
    status: q.status ? [q.status] : OPEN_CASE_STATUSES,
    kind: q.kind ? [q.kind] : undefined,
    severity: q.severity ? [q.severity] : undefined,
    site: q.site ? [q.site] : undefined,
    assignee: q.mine ? user.id : q.assignee,
    breached: q.breached ? true : undefined,
  };
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'slaDeadline');
  if (after === null) throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor of this queue' }]);
  // a search is resolved once, to the ids for the page (any status chosen) and the counts of open
  // cases; one too broad to count (null) stays text for the page, and its counts are the scope's
  // own, for the filters' choices only (shown without numbers)
  const page = { sort: 'slaDeadline' as const, limit: 50, after };
  const search = q.q === undefined ? undefined : await resolveInboxSearch(ctx, scope, q.q, q.status === 'closed', { filter, ...page }, user.id);
  const resolved = search ? { text: undefined, matchedIds: search.pageIds } : {};
  const [pageOf, scopeCounts] = await Promise.all([
    listQueue(ctx.db, { ...filter, ...resolved }, page),
    search ? search.counts : countQueue(ctx.db, { ...scope, text: undefined }, user.id),
  ]);
  const counts = search === null ? { ...scopeCounts, searchOver: ctx.config.INBOX_SEARCH_COUNT_LIMIT } : scopeCounts;
  const elsewhere = pageOf.items.length === 0 && scope.ownerRoles && !narrowed(q) ? await openElsewhere(ctx, scope, user.id) : undefined;
  return { items: pageOf.items, next: pageOf.next ? encodeCursor(pageOf.next) : null, counts, elsewhere };
}

/** The person chose something beyond the default queue (a filter, a search, a page). */
const narrowed = (q: QueueQuery) =>
  [q.site, q.kind, q.severity, q.status, q.assignee, q.q, q.mine, q.breached, q.cursor].some((v) => v !== undefined);

/**
 * An empty default queue says what is open in the person's sites on other roles' desks or
 * waiting for a count (those have no owner role): "nothing here" must not read as "nothing open".
 */
async function openElsewhere(ctx: ApiContext, scope: CaseFilter, me: string): Promise<OpenElsewhere | undefined> {
  const all = await countQueue(ctx.db, { ...scope, ownerRoles: undefined }, me);
  return all.total > 0 ? { total: all.total, byStatus: all.byStatus, estimated: all.estimatedAsOf !== null } : undefined;
}
interface OpenElsewhere {
  total: number;
  byStatus: Record<string, number>;
  /** counted from the snapshot of open cases (a large scope) */
  estimated: boolean;
}

function elsewhereNote(req: Request, e: OpenElsewhere): Html {
  const about = e.estimated ? 'about ' : '';
  const statuses = Object.entries(e.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${n} ${words(status)}`)
    .join(', ');
  const recounts = (e.byStatus.awaiting_recount ?? 0) > 0 && req.user!.roles.includes('counter');
  return html` <span id="queue-elsewhere">${about}${e.total} open case${e.total === 1 ? '' : 's'} in your sites ${e.total === 1 ? 'waits' : 'wait'} on another role or on a count (${statuses}): <a href="/app?all=1">show every role's cases</a>${recounts ? html` · <a href="/app/counts">your count tasks</a>` : ''}.</span>`;
}

/**
 * The page's ids among what a search matches in the person's scope, and its counts, or null when
 * too broad to count (remembered a while: the live queue repeats it).
 */
async function resolveInboxSearch(
  ctx: ApiContext,
  scope: CaseFilter,
  text: string,
  closed: boolean,
  page: Parameters<typeof countSearch>[2],
  me: string,
): Promise<CountedSearch | null> {
  const key = broadSearchKey(scope, text, closed);
  if (ctx.broadSearches.isBroad(key)) return null;
  const within = { ...scope, text, status: closed ? undefined : OPEN_CASE_STATUSES };
  const limit = ctx.config.INBOX_SEARCH_COUNT_LIMIT;
  // the sample tells a search that matches a good part of the scope without the index's bitmap of every match
  const search = surelyBroad(await searchSample(ctx.db), within, text, limit) ? null : await countSearch(ctx.db, within, page, me, limit);
  if (search === null) ctx.broadSearches.remember(key);
  return search;
}

/** An estimated count (a large scope, from the snapshot of open cases) reads "≈ n"; an uncounted one (a broad search) shows none. */
const withCount = (label: string, n: number | undefined, estimated = false, counted = true) => (counted ? `${label} (${estimated ? '≈ ' : ''}${n ?? 0})` : label);

function options(values: readonly string[], selected: string | undefined, counts: Record<string, number>, any: string, estimated: boolean, counted: boolean): Html {
  return html`<option value="">${any}</option>${values.map(
    (v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${withCount(words(v), counts[v], estimated, counted)}</option>`,
  )}`;
}

function filterForm(req: Request, q: QueueQuery, counts: QueueCounts): Html {
  const user = req.user!;
  const sites = user.sites.includes('*') ? Object.keys(counts.bySite).sort() : user.sites;
  const kinds = [...new Set([...Object.keys(counts.byKind), ...(q.kind ? [q.kind] : [])])].sort();
  const est = counts.estimatedAsOf !== null;
  const counted = counts.searchOver === null;
  return html`<form class="filters" method="get" action="/app" role="search" aria-label="Filter the queue">
  <div class="field grow"><label for="f-q">Search</label><input id="f-q" name="q" type="search" value="${q.q ?? ''}" placeholder="sku, location, case or event id" maxlength="100"></div>
  <div class="field"><label for="f-site">Site</label><select id="f-site" name="site">${options(sites, q.site, counts.bySite, 'all sites', est, counted)}</select></div>
  <div class="field"><label for="f-kind">Kind</label><select id="f-kind" name="kind">${options(kinds, q.kind, counts.byKind, 'all kinds', est, counted)}</select></div>
  <div class="field"><label for="f-severity">Severity</label><select id="f-severity" name="severity">${options(Severity.options, q.severity, counts.bySeverity, 'any severity', est, counted)}</select></div>
  <div class="field"><label for="f-status">Status</label><select id="f-status" name="status">${options(CASE_STATUSES, q.status, counts.byStatus, 'open', est, counted)}</select></div>
  <div class="field"><label for="f-assignee">Assignee</label><input id="f-assignee" name="assignee" value="${q.assignee ?? ''}" maxlength="64"></div>
  <fieldset class="checks"><legend>Show</legend>
    <label><input type="checkbox" name="mine" value="1"${q.mine ? html` checked` : ''}> ${withCount('assigned to me', counts.mine, false, counted)}</label>
    <label><input type="checkbox" name="breached" value="1"${q.breached ? html` checked` : ''}> ${withCount('SLA breached', counts.breached, est, counted)}</label>
    <label><input type="checkbox" name="all" value="1"${q.all ? html` checked` : ''}> every role's cases</label>
  </fieldset>
  <div class="field actions"><button type="submit" class="primary">Apply</button> <a href="/app">Reset</a></div>
</form>`;
}

/**
 * The case a person has just approved or rejected, while the queue still has it waiting on them:
 * the workflow carries the decision out and records the close a moment later (the live feed then
 * takes the row away). Said as such, so nobody reads it as not done.
 */
const justDecided = (q: QueueQuery, c: QueueRow) => q.done !== undefined && q.case === c.id && c.status === 'awaiting_approval';

function results(req: Request, q: QueueQuery, data: Awaited<ReturnType<typeof loadQueue>>): Html {
  const nextHref = data.next ? `/app${qs({ ...listQuery(req), cursor: data.next })}` : undefined;
  const c = data.counts;
  const about = c.estimatedAsOf === null ? '' : 'about ';
  const summary = c.searchOver !== null
    ? html`<p class="summary" id="queue-summary">More than ${c.searchOver.toLocaleString('en')} cases in your scope match this search: not counted. Narrow the search to count them.</p>`
    : html`<p class="summary" id="queue-summary">${about}${c.total} open case${c.total === 1 ? '' : 's'} in your scope · ${about}${c.breached} breached · ${c.mine} assigned to you${c.estimatedAsOf === null ? '' : html` <span class="muted" id="counts-estimated">(estimated: counted at ${c.estimatedAsOf.slice(11, 19)} UTC)</span>`}</p>`;
  return html`${summary}
${data.items.length === 0
    ? data.elsewhere
      ? html`<p class="empty" id="queue-empty">Nothing waits on your roles.${elsewhereNote(req, data.elsewhere)}</p>`
      : html`<p class="empty" id="queue-empty">Nothing here: no case matches these filters.</p>`
    : html`<div class="table-wrap"><table class="queue">
  <caption class="visually-hidden">Cases, soonest SLA first</caption>
  <thead><tr><th scope="col">SLA left</th><th scope="col">Case</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Site · location</th><th scope="col" class="num">Variance</th><th scope="col" class="num">Value</th><th scope="col">Owner</th></tr></thead>
  <tbody>${data.items.map(
    (c) => html`<tr data-case="${c.id}"${justDecided(q, c) ? html` data-decided="${q.done}"` : ''}>
    ${slaCell(c)}
    <td><a href="/app/cases/${encodeURIComponent(c.id)}">${words(c.kind)}</a><br><span class="muted">${c.sku}</span>${c.priority !== null ? html` <span class="muted">· priority ${c.priority}</span>` : ''}</td>
    <td><span class="badge sev-${c.severity ?? 'none'}">${c.severity ?? '—'}</span></td>
    <td>${justDecided(q, c) ? html`<strong>${q.done === 'approve' ? 'approved' : 'rejected'} by you, closing</strong>` : words(c.status)}</td>
    <td>${c.site}${c.location ? html` · ${c.location}` : ''}</td>
    <td class="num">${c.variance > 0 ? '+' : ''}${c.variance}</td>
    <td class="num">${money(c.valueAtRisk)}</td>
    <td>${c.assignee ? html`<strong>${c.assignee}</strong>` : words(c.ownerRole ?? '—')}</td>
  </tr>`,
  )}</tbody></table></div>`}
${nextHref ? html`<p class="paging"><a href="${nextHref}" rel="next">Next page</a></p>` : ''}
${q.cursor ? html`<p class="paging"><a href="/app${qs({ ...listQuery(req), cursor: undefined })}">Back to the first page</a></p>` : ''}`;
}

/** GET /app (the queue) and GET /app/queue/results (the same results, for the live refresh). */
export function queueRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    actorOfUser(req);
    const q = parseInput(QueueQuery, req.query, 'query');
    const data = await loadQueue(ctx, req, q);
    res.type('html').send(
      page(
        req,
        'My queue',
        'queue',
        html`<h1>My queue</h1>
${q.done ? html`<p class="notice" role="status" id="flash">${DONE[q.done]}${q.case ? html` <a href="/app/cases/${q.case}">Open the case again</a>` : ''}</p>` : ''}
${filterForm(req, q, data.counts)}
<div id="queue-results" data-live="queue" aria-live="polite">${results(req, q, data)}</div>
<p class="live-note" id="live-status" role="status">Live updates connecting…</p>`,
      ),
    );
  });
  router.get('/queue/results', requireApiUser, async (req, res) => {
    const q = parseInput(QueueQuery, req.query, 'query');
    res.type('html').send(results(req, q, await loadQueue(ctx, req, q)).text);
  });
  return router;
}
