import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor } from '../../src/domain';
import {
  approveUpdate,
  assignUpdate,
  commentUpdate,
  recountUpdate,
  REFUSAL_FAILURE_TYPES,
  rejectUpdate,
  stateQuery,
} from '../../src/workflows/messages';
import { privateKeyFromBase64, signUpdateInput } from '../../src/temporal/actor-proof';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { signedUpdate } from '../support/signed-update';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

/**
 * The API checks roles and sites, but anyone holding Temporal credentials can send an Update
 * straight to a case. The workflow's validators must refuse the same people, and a refused
 * Update must leave no trace in the case.
 */
let engine: Engine;
let handle: WorkflowHandle;
const site = 'DC-SEC';

beforeAll(async () => {
  engine = await startEngine();
  // a review-severity receiving variance waits for inventory_control (then site_supervisor)
  handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 100, observedQty: 90, unitCost: 5, skuClass: 'B', source: 'erp',
  });
  await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  // the read model and audit log are written by an activity after the state changes: count audit rows only once they caught up
  const { caseId } = await handle.query(stateQuery, {});
  await eventually(async () => {
    const { rows } = await engine.db.query('SELECT status FROM discrepancies WHERE id = $1', [caseId]);
    return rows[0]?.status === 'awaiting_approval';
  });
});
afterAll(() => engine?.stop());

const actor = (userId: string, roles: string[], sites: string[]): Actor => ({ userId, roles, sites });

// who must be refused, and why; finance may still comment (any approver at the site may), not decide
const outsiders: [string, Actor, string, string[]?][] = [
  ['a viewer at the site', actor('viewer1', ['viewer'], [site]), 'role'],
  ['an integration key at the site', actor('erp1', ['integration'], [site]), 'role'],
  ['finance (not on the review ladder)', actor('fin1', ['finance'], ['*']), 'role', ['comment']],
  ['no roles at all', actor('nobody', [], [site]), 'role'],
  ['an inventory controller of another site', actor('ic-other', ['inventory_control'], ['DC-ELSEWHERE']), 'site_scope'],
  ['an admin of another site', actor('admin-other', ['admin'], ['DC-ELSEWHERE']), 'site_scope'],
];

/**
 * Each approver action as a direct Update, signed with the API's key: what someone holding
 * that key (the API itself) could send. Forged actors are below.
 */
const updates: [string, (a: Actor) => Promise<unknown>][] = [
  ['approve', (a) => signedUpdate(handle, approveUpdate, { actor: a, reasonCode: 'SHORT_SHIP' })],
  ['reject', (a) => signedUpdate(handle, rejectUpdate, { actor: a, reasonCode: 'NOT_AN_ISSUE', comment: 'looks fine' })],
  ['recount', (a) => signedUpdate(handle, recountUpdate, { actor: a })],
  ['assign', (a) => signedUpdate(handle, assignUpdate, { actor: a, assignee: a.userId })],
  ['comment', (a) => signedUpdate(handle, commentUpdate, { actor: a, text: 'I was here' })],
];

/** The refusal's failure type and code, or 'accepted'. */
async function verdict(send: () => Promise<unknown>): Promise<string> {
  try {
    await send();
    return 'accepted';
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) throw err;
    const [detail] = (err.cause.details ?? []) as { code?: string }[];
    return `${err.cause.type}/${detail?.code}`;
  }
}

it('refuses every approver action from people without the role or the site, as forbidden', async () => {
  const before = await handle.query(stateQuery, {});
  const auditBefore = await engine.db.query('SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1', [before.caseId]);

  const got: Record<string, string> = {};
  const want: Record<string, string> = {};
  for (const [who, a, code, allowed = []] of outsiders) {
    for (const [name, send] of updates.filter(([n]) => !allowed.includes(n))) {
      got[`${name} by ${who}`] = await verdict(() => send(a));
      want[`${name} by ${who}`] = `${REFUSAL_FAILURE_TYPES.forbidden}/${code}`;
    }
  }
  expect(got).toEqual(want);

  // nothing changed: state, history (a refused Update is never written to it) and audit log
  const after = await handle.query(stateQuery, {});
  expect(after).toEqual(before);
  const { events } = await handle.fetchHistory();
  expect(events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toEqual([]);
  const auditAfter = await engine.db.query('SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1', [before.caseId]);
  expect(auditAfter.rows).toEqual(auditBefore.rows);
});

/** Whatever was sent leaves no trace: state, accepted updates in the history, audit rows. */
async function expectNoTrace(send: () => Promise<void>): Promise<void> {
  const before = await handle.query(stateQuery, {});
  const auditBefore = await engine.db.query('SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1', [before.caseId]);
  await send();
  expect(await handle.query(stateQuery, {})).toEqual(before);
  const { events } = await handle.fetchHistory();
  expect(events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toEqual([]);
  const auditAfter = await engine.db.query('SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1', [before.caseId]);
  expect(auditAfter.rows).toEqual(auditBefore.rows);
}

it('refuses a forged actor sent straight to Temporal, however it is dressed up', async () => {
  const root = actor('mallory', ['admin'], ['*']);
  const approve = { actor: root, reasonCode: 'SHORT_SHIP' };
  const apiKey = privateKeyFromBase64(engine.config.ACTOR_SIGNING_KEY);
  const ownKey = generateKeyPairSync('ed25519').privateKey;
  const send = (input: unknown, updateId = randomUUID()) => () => handle.executeUpdate(approveUpdate, { args: [input as never], updateId });
  const bound = (update: string, updateId: string, workflowId = handle.workflowId) => ({ workflowId, update, updateId });

  const id = randomUUID();
  const viewerSigned = signUpdateInput(apiKey, bound('approve', id), { actor: actor('v1', ['viewer'], [site]), reasonCode: 'SHORT_SHIP' });
  const forged: [string, () => Promise<unknown>][] = [
    ['no proof at all', send(approve)],
    ['no proof, the verified mark set by the sender', send({ ...approve, actor: { ...root, verified: true } })],
    ['signed with a key of its own', send(signUpdateInput(ownKey, bound('approve', id), approve), id)],
    ['a viewer signed by the API, roles rewritten to admin', send({ ...viewerSigned, actor: { ...viewerSigned.actor, roles: ['admin'], sites: ['*'] } }, id)],
    ['signed by the API for another case', send(signUpdateInput(apiKey, bound('approve', id, 'disc-elsewhere'), approve), id)],
    ['signed by the API as a comment, sent as an approval', send(signUpdateInput(apiKey, bound('comment', id), approve), id)],
    ['a signed approval replayed under another update id', send(signUpdateInput(apiKey, bound('approve', id), approve))],
    ['signed by the API an hour ago', send(signUpdateInput(apiKey, bound('approve', id), approve, Date.now() - 3_600_000), id)],
  ];
  await expectNoTrace(async () => {
    const got: Record<string, string> = {};
    for (const [how, go] of forged) got[how] = await verdict(go);
    expect(got).toEqual(Object.fromEntries(forged.map(([how]) => [how, `${REFUSAL_FAILURE_TYPES.forbidden}/unverified_actor`])));
  });
});

it('refuses an approval that would post more than the variance, whoever signs it', async () => {
  // 10 units short at 5 each: a 50 case; the supervisor's limit is 10 000
  const sup = actor('ss-dc-sec', ['site_supervisor'], [site]);
  await expectNoTrace(async () => {
    const got = await verdict(() => signedUpdate(handle, approveUpdate, { actor: sup, reasonCode: 'SHORT_SHIP', adjustQty: -1_000_000 }));
    expect(got).toBe(`${REFUSAL_FAILURE_TYPES.refused}/adjust_qty`);
  });
});

it('accepts the same Update from the approver the ladder names, at the site', async () => {
  // the control: the case takes updates, so the refusals above came from role and site
  const ic = actor('ic-dc-sec', ['inventory_control'], [site]);
  expect(await verdict(() => signedUpdate(handle, commentUpdate, { actor: ic, text: 'checking the ASN' }))).toBe('accepted');
  expect(await verdict(() => signedUpdate(handle, assignUpdate, { actor: ic, assignee: ic.userId }))).toBe('accepted');
  const state = await handle.query(stateQuery, {});
  expect({ assignee: state.assignee, comments: state.comments.map((c) => c.userId) }).toEqual({ assignee: ic.userId, comments: [ic.userId] });
});
