import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationChannel } from '../../domain';
import { chatPayload } from './chat';
import { emailContent } from './email';
import type { CaseMessage } from './message';
import { ChannelError, postJson, sendSignedWebhook, webhookBody } from './webhook';

export { ChannelError } from './webhook';
export type { CaseMessage } from './message';

export interface ChannelSettings {
  /** smtp://user:pass@host:port (smtps:// for TLS); empty: no email */
  smtpUrl: string;
  emailFrom: string;
  webhookUrl: string;
  webhookSecret: string;
  chatWebhookUrl: string;
  timeoutMs: number;
}

/** A rendered message for one channel and recipient: stored before the first try, sent as is on every try. */
export interface Rendered {
  channel: NotificationChannel;
  recipient: string;
  payload: Record<string, unknown>;
}

/** The outbound channels: rendering (pure) and sending (one try each; retries are the caller's). */
export interface NotificationChannels {
  configured(channel: NotificationChannel): boolean;
  render(channel: NotificationChannel, recipients: string[], m: CaseMessage, now: number): Rendered[];
  /** one try; throws ChannelError when it did not get through */
  send(r: Pick<Rendered, 'channel' | 'recipient' | 'payload'>, sendId: string): Promise<string>;
  close(): void;
}

export function createNotificationChannels(s: ChannelSettings): NotificationChannels {
  let mailer: Transporter | undefined;
  const smtp = () => (mailer ??= createTransport(s.smtpUrl, { from: s.emailFrom }));
  return {
    configured(channel) {
      if (channel === 'email') return s.smtpUrl !== '';
      if (channel === 'webhook') return s.webhookUrl !== '' && s.webhookSecret !== '';
      return s.chatWebhookUrl !== '';
    },
    render(channel, recipients, m, now) {
      if (channel === 'email') {
        const c = emailContent(m, now);
        return recipients.map((to) => ({ channel, recipient: to, payload: { to, ...c, caseId: m.caseId } }));
      }
      // endpoints are named, not listed: their URLs may carry tokens
      if (channel === 'webhook') return [{ channel, recipient: 'webhook', payload: webhookBody(m) }];
      return [{ channel, recipient: 'chat', payload: chatPayload(m, now) }];
    },
    async send(r, sendId) {
      if (!this.configured(r.channel)) throw new ChannelError(`the ${r.channel} channel is not configured on this worker`, true);
      if (r.channel === 'webhook') return sendSignedWebhook({ url: s.webhookUrl, secret: s.webhookSecret, timeoutMs: s.timeoutMs }, sendId, JSON.stringify(r.payload));
      if (r.channel === 'chat') return `chat answered ${await postJson(s.chatWebhookUrl, JSON.stringify(r.payload), {}, s.timeoutMs)}`;
      const p = r.payload as { to: string; subject: string; text: string; html: string; caseId: string };
      try {
        const info = await smtp().sendMail({
          to: p.to,
          subject: p.subject,
          text: p.text,
          html: p.html,
          // the same id on every try: a receiving system can drop the repeat
          messageId: `<${sendId}@reckon>`,
          headers: { 'X-Reckon-Case': p.caseId, 'X-Reckon-Delivery': sendId },
        });
        return `smtp accepted: ${String(info.response ?? '').slice(0, 200)}`;
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        // 5xx: the server refused this message for good
        throw new ChannelError(`smtp: ${e.message ?? String(err)}`.slice(0, 500), typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600);
      }
    },
    close() {
      mailer?.close();
    },
  };
}
