import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../api/deps';
import { NotFound, toApiError, ValidationError, type ApiError } from '../api/errors';
import { ACTION_BODIES } from '../api/routes/discrepancies';
import { CaseId } from '../api/schemas';
import { actOnCase, type CaseAction } from '../api/services/case-actions';
import { getCaseView, type CaseView } from '../api/services/discrepancies';
import { parseInput } from '../api/validate';
import { coversSite, effectivePolicy, OPEN_CASE_STATUSES, reasonCodesFor, type Actor, type PolicyDocument, type ReasonDecision } from '../domain';
import { getCaseRef, listCases } from '../store/discrepancy-queries';
import { getPolicyVersion } from '../store/policy-repo';
import { discrepancySection, evidenceSection, relatedSection, scoreSection, stateSection, timelineSection } from './case-view';
import { permissionsFor, PAGE_ACTIONS, type PageAction, type Permissions } from './case-permissions';
import { html, words, type Html } from './html';
import { page } from './layout';
import { APPROVE_REASONS as APPROVE, MANUAL_REASONS as MANUAL, REJECT_REASONS as REJECT } from './reason-codes';
import { actorOfUser, requireCsrf } from './session';

const IdParams = z.object({ id: CaseId });
const ActionParams = z.object({ id: CaseId, action: z.enum(PAGE_ACTIONS) });

/** The case action each page action is, and how a form's fields become that action's body. */
type FormAction<A extends CaseAction> = { action: A; body: (f: Record<string, string>, actor: Actor) => Record<string, unknown> };
const TO_API: { [P in PageAction]: FormAction<CaseAction> } = {
  approve: { action: 'approve', body: (f) => ({ reasonCode: f.reasonCode, comment: f.comment || undefined, adjustQty: f.adjustQty ? Number(f.adjustQty) : undefined }) },
  reject: { action: 'reject', body: (f) => ({ reasonCode: f.reasonCode, comment: f.comment }) },
  recount: { action: 'recount', body: (f) => ({ comment: f.comment || undefined }) },
  claim: { action: 'assign', body: (_f, actor) => ({ assignee: actor.userId }) },
  reassign: { action: 'assign', body: (f) => ({ assignee: f.assignee }) },
  comment: { action: 'comment', body: (f) => ({ text: f.text }) },
  retry: { action: 'retry', body: (f) => ({ comment: f.comment || undefined }) },
  'resolve-manually': { action: 'resolve_manually', body: (f) => ({ reasonCode: f.reasonCode, comment: f.comment }) },
};

/** What a person is told once an action went through (the case page, or the queue after approve/reject). */
export const DONE: Record<PageAction, string> = {
  approve: 'Your approval was recorded.',
  reject: 'You rejected the case; it closes with no change.',
  recount: 'A recount was requested.',
  claim: 'The case is yours now.',
  reassign: 'The case was reassigned.',
  comment: 'Your comment was added.',
  retry: 'The refused write is being tried again.',
  'resolve-manually': 'The case was resolved manually and closes; its hold is released.',
};

function actionForm(req: Request, action: PageAction, title: string, why: string | null, fields: Html, button: string): Html {
  const idem = randomBytes(12).toString('base64url');
  return html`<form method="post" action="${req.baseUrl}/cases/${encodeURIComponent(req.params.id as string)}/${action}" class="action" data-action="${action}"${why ? html` aria-describedby="why-${action}"` : ''}>
<fieldset${why ? html` disabled` : ''}><legend>${title}</legend>
<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">
<input type="hidden" name="_idem" value="${idem}">
${fields}
<button type="submit"${action === 'approve' ? html` class="primary"` : ''}>${button}</button>
</fieldset>
${why ? html`<p class="why" id="why-${action}" data-why="${action}">${why}</p>` : ''}
</form>`;
}

function reasonSelect(id: string, reasons: { code: string; label: string }[]): Html {
  return html`<label for="${id}">Reason</label><select id="${id}" name="reasonCode" required>${reasons.map((r) => html`<option value="${r.code}">${r.label}</option>`)}</select>`;
}

/** The codes the case's pinned policy allows for the decision on its kind (the fixed lists if it has no catalogue). */
function reasonsFor(policy: PolicyDocument | null, kind: string, decision: ReasonDecision, fallback: { code: string; label: string }[]): { code: string; label: string }[] {
  const codes = policy ? reasonCodesFor(policy, kind, decision) : undefined;
  return codes ? codes.map((r) => ({ code: r.code, label: `${r.description}${r.needsComment ? ' (comment needed)' : ''}` })) : fallback;
}

function actionsSection(req: Request, c: CaseView, p: Permissions, policy: PolicyDocument | null): Html {
  const APPROVE_REASONS = reasonsFor(policy, c.kind, 'approve', APPROVE);
  const REJECT_REASONS = reasonsFor(policy, c.kind, 'reject', REJECT);
  const MANUAL_REASONS = reasonsFor(policy, c.kind, 'resolve_manually', MANUAL);
  return html`<section aria-labelledby="h-actions" class="card actions" id="actions">
<h2 id="h-actions">Your actions</h2>
${actionForm(req, 'approve', 'Approve the correction', p.approve, html`${reasonSelect('approve-reason', APPROVE_REASONS)}
<label for="approve-qty">Adjust by <span class="muted">(default ${c.live ? c.live.observedQty - c.live.expectedQty : c.variance})</span></label><input id="approve-qty" name="adjustQty" type="number" step="any" inputmode="decimal">
<label for="approve-comment">Comment <span class="muted">(optional unless the reason needs one)</span></label><input id="approve-comment" name="comment" maxlength="2000">`, 'Approve')}
${actionForm(req, 'reject', 'Reject: no change', p.reject, html`${reasonSelect('reject-reason', REJECT_REASONS)}
<label for="reject-comment">Why</label><input id="reject-comment" name="comment" required maxlength="2000">`, 'Reject')}
${actionForm(req, 'recount', 'Ask for a recount', p.recount, html`<label for="recount-comment">Note for the counter <span class="muted">(optional)</span></label><input id="recount-comment" name="comment" maxlength="2000">`, 'Request recount')}
${actionForm(req, 'claim', 'Claim', p.claim, html``, 'Assign to me')}
${actionForm(req, 'reassign', 'Reassign', p.reassign, html`<label for="reassign-to">To user</label><input id="reassign-to" name="assignee" required maxlength="64">`, 'Reassign')}
${c.live?.status === 'needs_attention' ? html`<p class="alert" role="alert">${c.live.attention?.write ?? 'A write'} was refused: ${c.live.attention?.error ?? ''}</p>
${actionForm(req, 'retry', 'Retry the refused write', p.retry, html`<label for="retry-comment">Comment <span class="muted">(optional)</span></label><input id="retry-comment" name="comment" maxlength="2000">`, 'Retry')}
${actionForm(req, 'resolve-manually', 'Resolve manually', p['resolve-manually'], html`${reasonSelect('manual-reason', MANUAL_REASONS)}
<label for="manual-comment">What was done</label><input id="manual-comment" name="comment" required maxlength="2000">`, 'Resolve and close')}` : ''}
${actionForm(req, 'comment', 'Comment', p.comment, html`<label for="comment-text">Comment</label><textarea id="comment-text" name="text" required maxlength="4000" rows="3"></textarea>`, 'Add comment')}
</section>`;
}

async function renderCase(ctx: ApiContext, req: Request, res: Response, id: string, flash?: { ok: boolean; text: string }, status = 200): Promise<void> {
  const actor = actorOfUser(req);
  const c = await getCaseView(ctx, actor, id);
  const [policy, related] = await Promise.all([
    c.live ? getPolicyVersion(ctx.db, c.live.policyVersion).then((p) => (p ? effectivePolicy(p, c.site) : null)).catch(() => null) : Promise.resolve(null),
    listCases(ctx.db, { site: [c.site], sku: c.sku, status: OPEN_CASE_STATUSES }, { sort: '-openedAt', limit: 6 }),
  ]);
  const permissions = permissionsFor(policy?.document ?? null, c.live, actor, c.liveError ? `The case did not answer: ${c.liveError}.` : 'The case is not running.');
  res.status(status).type('html').send(
    page(
      req,
      `${words(c.kind)} ${c.sku}`,
      'queue',
      html`<p class="crumbs"><a href="/app">← My queue</a></p>
<h1>${words(c.kind)} · ${c.sku} <span class="muted">at ${c.site}${c.location ? ` ${c.location}` : ''}</span></h1>
<p class="muted case-id">Case ${c.id}</p>
${flash ? html`<p class="${flash.ok ? 'notice' : 'alert'}" role="${flash.ok ? 'status' : 'alert'}" id="flash">${flash.text}</p>` : ''}
<p class="live-note" id="case-changed" hidden role="status">This case changed. <a href="">Reload to see it.</a></p>
<div class="case-grid" data-live="case" data-case-id="${c.id}">
<div class="col">${discrepancySection(c)}${scoreSection(c)}${evidenceSection(c)}</div>
<div class="col">${stateSection(c)}${actionsSection(req, c, permissions, policy?.document ?? null)}${relatedSection(c, related.items.filter((r) => r.id !== c.id))}${timelineSection(c)}</div>
</div>`,
    ),
  );
}

/** GET /app/cases/:id and POST /app/cases/:id/:action (the same Temporal updates the API sends). */
export function caseRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/cases/:id', async (req, res) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    const done = typeof req.query.done === 'string' && (PAGE_ACTIONS as readonly string[]).includes(req.query.done) ? DONE[req.query.done as PageAction] : undefined;
    await renderCase(ctx, req, res, id, done ? { ok: true, text: done } : undefined);
  });

  router.post('/cases/:id/:action', requireCsrf, async (req, res) => {
    const { id, action } = parseInput(ActionParams, req.params, 'path');
    const actor = actorOfUser(req);
    // another site's case is "not found", exactly like an unknown one
    const ref = await getCaseRef(ctx.db, id);
    if (!ref || !coversSite(actor, ref.site)) throw new NotFound(`no case ${id}`);
    const form = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : ''])) as Record<string, string>;
    const spec = TO_API[action];
    const idem = /^[A-Za-z0-9_-]{8,64}$/.test(form._idem ?? '') ? `web-${form._idem}` : undefined;
    try {
      const body = parseInput(ACTION_BODIES[spec.action], spec.body(form, actor), 'body');
      await actOnCase(ctx, actor, id, spec.action, body, idem);
    } catch (err) {
      const e: ApiError | null = toApiError(err);
      if (!e) throw err;
      const text = e instanceof ValidationError ? `Check the form: ${e.errors.map((f) => `${f.path.replace(/^body\./, '')}: ${f.message}`).join('; ')}` : e.message;
      req.log.info({ caseId: id, action, status: e.status }, 'inbox action refused');
      return renderCase(ctx, req, res, id, { ok: false, text: `Not done: ${text}` }, e.status);
    }
    // a decision takes the case out of the person's queue: back there; other actions stay on the case
    if (action === 'approve' || action === 'reject') return res.redirect(303, `/app?done=${action}&case=${encodeURIComponent(id)}`);
    res.redirect(303, `/app/cases/${encodeURIComponent(id)}?done=${action}`);
  });
  return router;
}
