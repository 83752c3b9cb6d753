import { slaLeft, type CaseMessage } from './message';

/**
 * A Slack-compatible incoming-webhook payload (also accepted by Mattermost and Rocket.Chat):
 * `text` for notifications and clients without blocks, then blocks with the case, its severity,
 * the SLA left when it was sent, and a button to the case.
 */
export function chatPayload(m: CaseMessage, now: number): Record<string, unknown> {
  const where = `${m.site} · ${m.sku}${m.location ? ` @ ${m.location}` : ''}`;
  const sla = slaLeft(m.slaDeadline, now);
  return {
    text: `${m.subject} (${sla})`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: m.subject.slice(0, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Case*\n<${m.link}|${m.kind} ${m.caseId.slice(0, 8)}>` },
          { type: 'mrkdwn', text: `*Severity*\n${m.severity ?? 'unscored'}` },
          { type: 'mrkdwn', text: `*SLA*\n${sla}` },
          { type: 'mrkdwn', text: `*Where*\n${where}` },
          { type: 'mrkdwn', text: `*For*\n${m.role}` },
          { type: 'mrkdwn', text: `*Value at risk*\n${m.valueAtRisk ?? '—'}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: m.text.slice(0, 2900) || ' ' } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the case' }, url: m.link }] },
    ],
  };
}
