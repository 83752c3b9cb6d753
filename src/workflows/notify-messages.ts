/** The delivery of one notification send (one channel, one recipient), started by the notifyRole activity. */
export const NOTIFICATION_DELIVERY_TYPE = 'notificationDelivery';

export const notificationDeliveryId = (sendId: string) => `notify-${sendId}`;

export interface NotificationDeliveryInput {
  sendId: string;
  /** tries before the send is dead */
  attempts: number;
  /** first wait between tries, in ms; doubles up to retryMaxMs */
  retryInitialMs: number;
  retryMaxMs: number;
}

export type NotificationDeliveryResult = 'sent' | 'dead';
