import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { verifyWebhook, WEBHOOK_HEADERS } from '../../src/adapters/notify/webhook';
import { freePort } from '../../src/dev/temporal-server';
import { startApi, type Api } from '../support/api';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { stateQuery } from '../../src/workflows/messages';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { NOTIFY_SITE } from '../support/test-policy';

/**
 * Notifications leave the building: a real SMTP server (smtp-server) receives the email and
 * mailparser reads it, an HTTP receiver checks the webhook's signature, another takes the chat
 * payload. The suite's policy routes NOTIFY_SITE's site_supervisor to email and its
 * ops_manager to email, webhook and chat; the high ladder escalates after 4 s.
 */
const SECRET = 'whsec-test-0123456789';
let engine: Engine;
let api: Api;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
const webhooks: Received[] = [];
const chats: Received[] = [];
let webhook: Server;
let webhookPort: number;
let chat: Server;

function receiver(into: Received[], port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      into.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
const close = (s: Server) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); });

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        done();
      }, done);
    },
  });
  const smtpPort = await freePort();
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', () => resolve()));
  webhook = await receiver(webhooks);
  webhookPort = (webhook.address() as AddressInfo).port;
  chat = await receiver(chats);
  engine = await startEngine({
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    NOTIFY_EMAIL_FROM: 'Reckon <reckon@test.example>',
    NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/hooks/reckon`,
    NOTIFY_WEBHOOK_SECRET: SECRET,
    NOTIFY_CHAT_WEBHOOK_URL: `http://127.0.0.1:${(chat.address() as AddressInfo).port}/services/T0/B0/x`,
    PUBLIC_URL: 'https://reckon.example',
  });
  api = await startApi(engine);
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  for (const s of [webhook, chat]) if (s?.listening) await close(s);
});

/** A high receiving variance at the notify site (3000 at risk): it climbs the ladder when nobody acts. */
async function highCase(): Promise<{ caseId: string; workflowId: string; sku: string }> {
  const sku = uniq('SKU');
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site: NOTIFY_SITE, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 120, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'erp',
  });
  const s = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(s.severity).toBe('high');
  return { caseId: s.caseId, workflowId: handle.workflowId, sku };
}

async function sendsOf(caseId: string, query = '') {
  const res = await (await api.as({ userId: 'ops-viewer', roles: ['viewer'], sites: [NOTIFY_SITE] })).get(`/v1/notifications?caseId=${encodeURIComponent(caseId)}${query}`);
  expect(res.status).toBe(200);
  return res.body.items as { id: string; channel: string; recipient: string; role: string; status: string; attempts: number; maxAttempts: number; lastError: string | null; tries: { outcome: string; detail: string }[] }[];
}

it('an escalation is emailed (parsed from the SMTP server), sent as a signed webhook that verifies, and posted to chat; each send once, recorded as sent', async () => {
  const { caseId, sku } = await highCase();
  // rung 1: the site supervisor by email
  const toSupervisor = await eventually(async () => mails.find((m) => m.text?.includes(caseId) && m.headers.get('x-reckon-case') === caseId && (m.to as { text: string }).text.includes('supervisor@')));
  expect(toSupervisor.subject).toMatch(new RegExp(`high receiving_variance at ${NOTIFY_SITE}: ${sku} needs a decision`));

  // the SLA passes: escalated to the ops manager by email, webhook and chat
  const mail = await eventually(async () => mails.find((m) => m.headers.get('x-reckon-case') === caseId && (m.to as { text: string }).text.includes('ops@dc-notify.example')), 30_000);
  expect((mail.from as { text: string }).text).toContain('reckon@test.example');
  expect(mail.messageId).toMatch(/@reckon>$/);
  expect(mail.text).toContain(`https://reckon.example/v1/discrepancies/${caseId}`);
  expect(mail.text).toMatch(/Severity: high/);
  expect(mail.text).toMatch(/SLA: \d+s (left|overdue) \(decide by /);
  expect(mail.html).toContain('Open the case');

  const hook = await eventually(async () => webhooks.find((w) => JSON.parse(w.body).caseId === caseId));
  const headers = { timestamp: String(hook.headers[WEBHOOK_HEADERS.timestamp]), signature: String(hook.headers[WEBHOOK_HEADERS.signature]) };
  expect(verifyWebhook(SECRET, headers, hook.body)).toBe(true);
  expect(verifyWebhook('another-secret', headers, hook.body)).toBe(false);
  expect(verifyWebhook(SECRET, headers, hook.body.replace('"high"', '"info"'))).toBe(false);
  expect(JSON.parse(hook.body)).toMatchObject({ type: 'reckon.case.notification', caseId, role: 'ops_manager', site: NOTIFY_SITE, sku, severity: 'high', kind: 'receiving_variance' });
  expect(hook.headers[WEBHOOK_HEADERS.delivery]).toBe(JSON.parse(hook.body).deliveryId);

  const posted = await eventually(async () => chats.find((c) => c.body.includes(caseId)));
  const payload = JSON.parse(posted.body);
  expect(payload.text).toMatch(/needs a decision|passed every SLA/);
  const fields: string[] = payload.blocks.flatMap((b: { fields?: { text: string }[] }) => (b.fields ?? []).map((f) => f.text));
  expect(fields).toEqual(expect.arrayContaining(['*Severity*\nhigh', expect.stringMatching(/^\*SLA\*\n\d+s (left|overdue)$/), expect.stringContaining(`<https://reckon.example/v1/discrepancies/${caseId}|receiving_variance`)]));
  expect(payload.blocks.at(-1).elements[0].url).toBe(`https://reckon.example/v1/discrepancies/${caseId}`);

  // the ladder's end pages the ops manager as well (the case stays with them, stock held); then every send is recorded as sent, once
  const sends = await eventually(async () => {
    const s = await sendsOf(caseId);
    return s.length >= 7 && s.every((x) => x.status === 'sent') ? s : undefined;
  }, 30_000);
  // supervisor email; ops email, webhook, chat at the escalation and again for the page
  expect(sends.map((s) => `${s.role} ${s.channel}`).sort()).toEqual(['ops_manager chat', 'ops_manager chat', 'ops_manager email', 'ops_manager email', 'ops_manager webhook', 'ops_manager webhook', 'site_supervisor email']);
  expect(sends.every((s) => s.attempts === 1 && s.tries[0].outcome === 'sent')).toBe(true);
  const deliveries = webhooks.filter((w) => JSON.parse(w.body).caseId === caseId).map((w) => w.headers[WEBHOOK_HEADERS.delivery]);
  expect(new Set(deliveries).size).toBe(deliveries.length);
  expect(mails.filter((m) => m.headers.get('x-reckon-case') === caseId)).toHaveLength(3);
}, 90_000);

it('with the webhook receiver down the case still escalates to its end; the webhook send is dead after its tries, visible through the API, and email still goes out', async () => {
  await close(webhook);
  try {
    const { caseId, workflowId } = await highCase();
    // past every rung: the terminal hold_and_page leaves the case with the paged ops manager
    const final = await eventually(async () => {
      const st = await engine.client.workflow.getHandle(workflowId).query(stateQuery, {});
      return st.escalationLevel === 2 && st.hold ? st : undefined;
    }, 40_000);
    expect(final).toMatchObject({ status: 'awaiting_approval', ownerRole: 'ops_manager', breached: true });
    const dead = await eventually(async () => {
      const s = await sendsOf(caseId, '&status=dead&channel=webhook');
      return s.length === 2 ? s : undefined;
    }, 40_000);
    for (const d of dead) {
      expect(d).toMatchObject({ recipient: 'webhook', role: 'ops_manager', attempts: 3, maxAttempts: 3 });
      expect(d.lastError).toMatch(/gave up: no answer from the endpoint: ECONNREFUSED/);
      expect(d.tries.map((t) => t.outcome)).toEqual(['failed', 'failed', 'failed']);
    }
    const sent = await sendsOf(caseId, '&status=sent');
    expect(sent.map((s) => s.channel).sort()).toEqual(['chat', 'chat', 'email', 'email', 'email']);
  } finally {
    webhook = await receiver(webhooks, webhookPort);
  }
}, 120_000);

it('a pattern case goes to loss prevention and is told through its channel (chat)', async () => {
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'shrink_pattern', site: NOTIFY_SITE, sku: uniq('SKU'), location: 'A-09-01', expectedQty: 30, observedQty: 22, unitCost: 20, skuClass: 'B', source: 'wms',
    causedBy: ['u-night-9'], sourceEventIds: [uniq('ADJ')],
  });
  const s = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(s.ownerRole).toBe('loss_prevention');
  const posted = await eventually(async () => chats.find((c) => c.body.includes(s.caseId)));
  expect(posted.body).toMatch(/shrink_pattern/);
  const sends = await eventually(async () => {
    const x = await sendsOf(s.caseId);
    return x.length > 0 && x.every((y) => y.status === 'sent') ? x : undefined;
  });
  expect(sends.map((x) => `${x.role} ${x.channel}`)).toEqual(['loss_prevention chat']);
});

it('GET /v1/notifications refuses bad filters with the failing fields and sites outside the key', async () => {
  const viewer = await api.as({ userId: 'ops-viewer', roles: ['viewer'], sites: [NOTIFY_SITE] });
  const bad = await viewer.get('/v1/notifications?status=lost&limit=0');
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.limit', 'query.status.0']);
  expect((await viewer.get('/v1/notifications?site=DC-ELSEWHERE')).status).toBe(404);
});
