import { decodeMessage, MESSAGE_ID_PREFIX, type IncomingMessage } from '../../src/ingest/queue-message';
import { inventoryEvent, receivingReport } from './support';

const LIMIT = 256 * 1024;
const msg = (body: unknown, properties: IncomingMessage['properties'] = {}): IncomingMessage => ({
  content: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  properties,
});

describe('telling events from discrepancy reports', () => {
  it('by the AMQP type property', () => {
    const e = decodeMessage(msg(inventoryEvent('DC1', 'SKU-1', 'E-1'), { type: 'reckon.event' }), LIMIT);
    expect(e).toMatchObject({ ok: true, kind: 'event', event: { eventId: 'E-1', attributes: {} } });
    const d = decodeMessage(msg(receivingReport('DC1', 'SKU-1', 'ASN-1', ['R-1']), { type: 'reckon.discrepancy' }), LIMIT);
    expect(d).toMatchObject({ ok: true, kind: 'discrepancy', report: { sku: 'SKU-1', uom: 'EA', sourceEventIds: ['R-1'] } });
  });

  it('by an envelope when there is no type property', () => {
    const e = decodeMessage(msg({ kind: 'event', body: inventoryEvent('DC1', 'SKU-1', 'E-1') }), LIMIT);
    expect(e).toMatchObject({ ok: true, kind: 'event' });
    const d = decodeMessage(msg({ kind: 'discrepancy', body: receivingReport('DC1', 'SKU-1', 'ASN-1', []) }), LIMIT);
    expect(d).toMatchObject({ ok: true, kind: 'discrepancy' });
  });

  it('the type property wins: a typed message body is never read as an envelope', () => {
    const r = decodeMessage(msg({ kind: 'event', body: inventoryEvent('DC1', 'SKU-1', 'E-1') }, { type: 'reckon.event' }), LIMIT);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields.map((f) => f.path)).toEqual(expect.arrayContaining(['kind', 'body']));
  });
});

describe('refusals name the reason and the failing fields', () => {
  it.each([
    ['not JSON', msg('{"eventId": ', { type: 'reckon.event' }), /not UTF-8 JSON/, []],
    ['not UTF-8', msg(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { type: 'reckon.event' }), /not UTF-8 JSON/, []],
    ['an unknown type', msg(inventoryEvent('DC1', 'S', 'E'), { type: 'reckon.events' }), /unknown message type "reckon.events"/, []],
    ['no type and no envelope', msg(inventoryEvent('DC1', 'S', 'E')), /not an envelope/, ['kind', 'body', 'eventId']],
    ['an envelope of an unknown kind', msg({ kind: 'count', body: {} }), /not an envelope/, ['kind']],
    ['an event without qty (typed)', msg({ ...inventoryEvent('DC1', 'S', 'E'), qty: undefined, colour: 'red' }, { type: 'reckon.event' }), /invalid inventory event/, ['qty', 'colour']],
    ['a report with equal quantities (enveloped)', msg({ kind: 'discrepancy', body: { ...receivingReport('DC1', 'S', 'A', []), observedQty: 30 } }), /invalid discrepancy report/, ['body.observedQty']],
    ['a JSON array', msg([1, 2], { type: 'reckon.discrepancy' }), /invalid discrepancy report/, ['(body)']],
  ])('%s', (_, m, reason, paths) => {
    const r = decodeMessage(m, LIMIT);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(reason);
    expect(r.fields.map((f) => f.path)).toEqual(expect.arrayContaining(paths as string[]));
    for (const f of r.fields) expect(f.message.length).toBeGreaterThan(0);
  });

  it('a body over the limit is refused unread', () => {
    const r = decodeMessage(msg({ kind: 'event', body: inventoryEvent('DC1', 'S', 'E', { attributes: { blob: 'x'.repeat(4000) } }) }), 2048);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/limit is 2048/) });
  });
});

describe('ids a message carries', () => {
  it('correlation id: the message property, else the event field, else a new one', () => {
    const event = inventoryEvent('DC1', 'S', 'E', { correlationId: 'from-event' });
    expect(decodeMessage(msg(event, { type: 'reckon.event', correlationId: 'from-amqp' }), LIMIT).correlationId).toBe('from-amqp');
    expect(decodeMessage(msg(event, { type: 'reckon.event' }), LIMIT).correlationId).toBe('from-event');
    const a = decodeMessage(msg('nope', { type: 'reckon.event' }), LIMIT).correlationId;
    const b = decodeMessage(msg('nope', { type: 'reckon.event' }), LIMIT).correlationId;
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it('a report without source event ids takes its message id, so a redelivery is recognised', () => {
    const r = decodeMessage(msg(receivingReport('DC1', 'S', 'A', []), { type: 'reckon.discrepancy', messageId: 'm-42' }), LIMIT);
    expect(r).toMatchObject({ ok: true, report: { sourceEventIds: [`${MESSAGE_ID_PREFIX}m-42`] } });
    const own = decodeMessage(msg(receivingReport('DC1', 'S', 'A', ['R-9']), { type: 'reckon.discrepancy', messageId: 'm-43' }), LIMIT);
    expect(own).toMatchObject({ ok: true, report: { sourceEventIds: ['R-9'] } });
  });
});
