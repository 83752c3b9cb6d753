import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { NotificationChannels } from '../adapters/notify';
import type { ErpPort, MasterDataPort, NotifierPort, WmsPort } from '../adapters/ports';
import type { Logger } from '../logger';
import type { WorkerMetrics } from '../metrics/worker';

export interface ActivityDeps {
  db: Pool;
  wms: WmsPort;
  erp: ErpPort;
  notifier: NotifierPort;
  /** the item master (the ERP's reorder point and safety stock): Reckon keeps what it reads in model.items */
  masterData?: MasterDataPort;
  /** outbound email, webhook and chat; none: notifications are only recorded through the notifier */
  channels?: NotificationChannels;
  /** where people open a case (links in notifications) */
  publicUrl?: string;
  logger: Logger;
  evidenceLookbackDays: number;
  /** where recorded transitions are published for the live feed; none: no feed */
  redis?: Redis;
  /** the audit anchor log (src/audit/anchor-log.ts); none: this worker cannot anchor */
  auditAnchorFile?: string;
  /** Reckon's worker counters; none: not counted */
  metrics?: WorkerMetrics;
}
