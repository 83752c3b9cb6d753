/** What a notification tells a person about a case, whatever the channel. */
export interface CaseMessage {
  /** the send's id: also the webhook delivery id and the email's Message-ID */
  sendId: string;
  caseId: string;
  role: string;
  site: string;
  kind: string;
  sku: string;
  location?: string;
  severity?: string;
  /** when the current rung's SLA runs out */
  slaDeadline?: string;
  valueAtRisk?: number;
  subject: string;
  text: string;
  /** where a person opens the case */
  link: string;
}

/** "2h 5m left", "12m overdue", or "no SLA" — relative to `now`. */
export function slaLeft(deadline: string | undefined, now: number): string {
  if (!deadline) return 'no SLA';
  const ms = Date.parse(deadline) - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const span = h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m` : `${s}s`;
  return ms >= 0 ? `${span} left` : `${span} overdue`;
}
