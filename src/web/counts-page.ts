import { Router } from 'express';
import { z } from 'zod';
import { getCountTask, listOpenCountTasks, type OpenCountTask } from '../store/count-tasks-repo';
import type { ApiContext } from '../api/deps';
import { Forbidden, NotFound, toApiError } from '../api/errors';
import { CountResultBody } from '../api/schemas';
import { submitCount } from '../api/services/counts';
import { parseInput } from '../api/validate';
import { coversSite } from '../domain';
import { html } from './html';
import { page } from './layout';
import { actorOfUser, requireCsrf } from './session';

/** Who may enter counts from the inbox: counters, and admins. */
export const COUNTER_ROLES = ['counter', 'admin'];

const CountForm = z.object({ taskId: z.string().min(1).max(128), countedQty: z.string().trim().min(1, 'enter the quantity you counted') }).passthrough();

function byZone(tasks: OpenCountTask[]): [string, OpenCountTask[]][] {
  const zones = new Map<string, OpenCountTask[]>();
  for (const t of tasks) {
    const key = `${t.site} · ${t.zone ? `zone ${t.zone}` : 'no zone'}`;
    zones.set(key, [...(zones.get(key) ?? []), t]);
  }
  return [...zones];
}

/** GET /app/counts: open count tasks in walking order; POST /app/counts: one count, as POST /v1/counts takes it. */
export function countRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/counts', async (req, res) => {
    const user = req.user!;
    const mayCount = user.roles.some((r) => COUNTER_ROLES.includes(r));
    const tasks = await listOpenCountTasks(ctx.db, user.sites.includes('*') ? undefined : user.sites);
    const done = typeof req.query.done === 'string' ? req.query.done.slice(0, 128) : undefined;
    const failed = typeof req.query.error === 'string' ? req.query.error.slice(0, 300) : undefined;
    res.type('html').send(
      page(
        req,
        'Counts',
        'counts',
        html`<h1>Count tasks</h1>
${done ? html`<p class="notice" role="status" id="flash">Count for task ${done} recorded. Thank you.</p>` : ''}
${failed ? html`<p class="alert" role="alert" id="flash">Not recorded: ${failed}</p>` : ''}
${mayCount ? '' : html`<p class="why">You can see the tasks; entering counts needs the counter role.</p>`}
${tasks.length === 0 ? html`<p class="empty">No open count tasks in your sites.</p>` : ''}
${byZone(tasks).map(
  ([zone, list]) => html`<section class="zone" aria-labelledby="z-${zone.replace(/\W+/g, '-')}"><h2 id="z-${zone.replace(/\W+/g, '-')}">${zone}</h2>
<ol class="tasks">${list.map(
    (t) => html`<li class="task" data-task="${t.taskId}">
  <form method="post" action="/app/counts" class="count-form">
    <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">
    <input type="hidden" name="taskId" value="${t.taskId}">
    <p class="bin"><strong>${t.location ?? 'no bin'}</strong> · ${t.sku}</p>
    <p class="muted">${t.reason} · asked ${t.createdAt.slice(0, 16).replace('T', ' ')}</p>
    <label for="qty-${t.taskId}">Counted quantity</label>
    <div class="inline"><input id="qty-${t.taskId}" name="countedQty" type="number" inputmode="numeric" min="0" step="any" required${mayCount ? '' : html` disabled`}>
    <button type="submit" class="primary"${mayCount ? '' : html` disabled`}>Save count</button></div>
  </form>
</li>`,
  )}</ol></section>`,
)}`,
      ),
    );
  });

  router.post('/counts', requireCsrf, async (req, res) => {
    const actor = actorOfUser(req);
    const form = parseInput(CountForm, req.body ?? {}, 'body');
    const task = await getCountTask(ctx.db, form.taskId);
    // another site's task is "not found", exactly like an unknown one
    if (!task || !coversSite(actor, task.site)) throw new NotFound(`no count task ${form.taskId}`);
    if (!actor.roles.some((r) => COUNTER_ROLES.includes(r))) throw new Forbidden('entering counts needs the counter role');
    try {
      const body = parseInput(CountResultBody, { taskId: form.taskId, countedQty: Number(form.countedQty), countedBy: actor.userId }, 'body');
      await submitCount(ctx, actor, body);
    } catch (err) {
      const e = toApiError(err);
      if (!e) throw err;
      return res.redirect(303, `/app/counts?error=${encodeURIComponent(e.message)}`);
    }
    res.redirect(303, `/app/counts?done=${encodeURIComponent(form.taskId)}`);
  });
  return router;
}
