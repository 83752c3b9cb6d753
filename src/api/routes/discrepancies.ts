import { Router, type Request } from 'express';
import { z } from 'zod';
import { CASE_ACTION_NAMES, CASE_ACTIONS, DiscrepancyReport } from '../../domain';
import { actorOf, approverRole, oneOf, requireRole } from '../auth';
import type { ApiContext } from '../deps';
import {
  AssignBody,
  ApproveBody,
  CaseId,
  CommentBody,
  ListQuery,
  RecountBody,
  RejectBody,
  RepinBatchBody,
  RepinBody,
  ResolveManuallyBody,
  RetryBody,
} from '../schemas';
import { actOnCase, repinCases, type CaseAction, type CaseActionBodies } from '../services/case-actions';
import { caseLinks, getCaseView, listQueue, reportDiscrepancy } from '../services/discrepancies';
import { capOf } from '../body';
import { parseInput } from '../validate';

/** Each action's body schema; its path and who may call it come from the domain's CASE_ACTIONS. */
export const ACTION_BODIES: { [A in CaseAction]: z.ZodType<CaseActionBodies[A]> } = {
  approve: ApproveBody,
  reject: RejectBody,
  recount: RecountBody,
  assign: AssignBody,
  comment: CommentBody,
  retry: RetryBody,
  resolve_manually: ResolveManuallyBody,
  repin: RepinBody,
};
const ROLE_CHECK = { approver: approverRole, admin: oneOf('admin') } as const;

const IdParams = z.object({ id: CaseId });
const IdempotencyKey = z.object({ 'idempotency-key': z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 letters, digits, . _ : -').optional() });

const caseIdOf = (req: Request) => parseInput(IdParams, req.params, 'path').id;

/** /v1/discrepancies: report, queue, case, approver actions. */
export function discrepancyRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.post('/', requireRole(oneOf('integration', 'admin')), async (req, res) => {
    capOf('the report', req.bodyBytes ?? 0, ctx.config.MAX_EVENT_BYTES);
    const report = parseInput(DiscrepancyReport, req.body ?? {}, 'body');
    const { id, workflowId } = await reportDiscrepancy(ctx, actorOf(req), report);
    const links = caseLinks(id);
    res.status(202).location(links.self).json({ id, workflowId, status: 'accepted', links });
  });

  router.get('/', async (req, res) => {
    const query = parseInput(ListQuery, req.query, 'query');
    res.json(await listQueue(ctx, actorOf(req), query));
  });

  // /repin takes POST only: its other methods are 405 (app.ts), not a case named "repin"
  router.all('/repin', (req, _res, next) => next(req.method === 'POST' ? undefined : 'router'));
  router.get('/:id', async (req, res) => {
    res.json(await getCaseView(ctx, actorOf(req), caseIdOf(req)));
  });

  // admin: re-pin a chosen set of open cases to a stored policy version, one answer per case
  router.post('/repin', requireRole(oneOf('admin')), async (req, res) => {
    const { caseIds, version, reason } = parseInput(RepinBatchBody, req.body ?? {}, 'body');
    res.json({ results: await repinCases(ctx, actorOf(req), caseIds, { version, reason }) });
  });

  for (const action of CASE_ACTION_NAMES) {
    router.post(`/:id/${CASE_ACTIONS[action].path}`, requireRole(ROLE_CHECK[CASE_ACTIONS[action].who]), async (req, res) => {
      const id = caseIdOf(req);
      const body = parseInput(ACTION_BODIES[action], req.body ?? {}, 'body');
      const key = parseInput(IdempotencyKey, { 'idempotency-key': req.get('idempotency-key') }, 'header')['idempotency-key'];
      res.json(await actOnCase(ctx, actorOf(req), id, action, body, key));
    });
  }
  return router;
}
