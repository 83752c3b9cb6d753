import { slaLeft, type CaseMessage } from './message';

/** The email for a case message: plain text first, a small HTML part with the same facts. */
export function emailContent(m: CaseMessage, now: number): { subject: string; text: string; html: string } {
  const sla = slaLeft(m.slaDeadline, now);
  const facts: [string, string][] = [
    ['Case', m.caseId],
    ['Kind', m.kind],
    ['Severity', m.severity ?? 'unscored'],
    ['Where', `${m.site} ${m.sku}${m.location ? ` @ ${m.location}` : ''}`],
    ['SLA', m.slaDeadline ? `${sla} (decide by ${m.slaDeadline})` : sla],
    ['For', m.role],
  ];
  const text = `${m.text}\n\n${facts.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\nOpen the case: ${m.link}\n`;
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const html = `<p>${esc(m.text)}</p><table>${facts.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table><p><a href="${esc(m.link)}">Open the case</a></p>`;
  return { subject: m.subject, text, html };
}
