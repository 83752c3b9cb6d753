import type { Pool } from 'pg';
import type { ErpPort, NotifierPort, WmsPort } from '../adapters/ports';
import type { Logger } from '../logger';

export interface ActivityDeps {
  db: Pool;
  wms: WmsPort;
  erp: ErpPort;
  notifier: NotifierPort;
  logger: Logger;
  evidenceLookbackDays: number;
}
