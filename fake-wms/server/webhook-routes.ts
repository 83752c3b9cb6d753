import { Router } from 'express';
import type { Pool } from 'pg';
import { NotificationBody, PATHS } from '../../src/adapters/http/contract';
import type { NotifierPort } from '../../src/adapters/ports';
import { answerWrite, assertSameCommand, idempotencyKeyOf } from './idempotency';
import { parseOr400 } from './problems';

/** The webhook notifier contract, stored in ledger.notifications like the reference notifier. */
export function webhookRoutes(pool: Pool, notifier: NotifierPort): Router {
  const r = Router();
  r.post(PATHS.webhook.notifications, async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const body = parseOr400(NotificationBody, req.body, 'body');
    const out = await notifier.notify({ ...body, idempotencyKey });
    if (out.replayed) await assertSameCommand(pool, 'ledger.notifications', out.notificationId, { role: body.role, site: body.site, case_id: body.caseId });
    answerWrite(res, 201, { notificationId: out.notificationId }, out.replayed);
  });
  return r;
}
