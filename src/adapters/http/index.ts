import type Redis from 'ioredis';
import type { Logger } from '../../logger';
import type { ErpPort, NotifierPort, WmsPort } from '../ports';
import { createHttpErp } from './erp';
import { createMasterData, type MasterDataPort } from './master-data';
import { createLogNotifier, createWebhookNotifier } from './notifier';
import { Remote, type RetryOptions } from './remote';
import { createHttpWms } from './wms';

export interface HttpAdapterOptions {
  wmsUrl: string;
  erpUrl: string;
  /** sent as `Authorization: Bearer <apiKey>` to every remote */
  apiKey: string;
  /** per attempt, the answer's body included */
  timeoutMs: number;
  /** per remote: open after `failures` consecutive failures, try again after `resetMs` */
  circuit: { failures: number; resetMs: number };
  retry?: Partial<RetryOptions>;
  /** the master-data cache; without it every read goes to the WMS */
  redis?: Redis;
  masterDataTtlSeconds: number;
  logger: Logger;
  /** notifications go to this webhook (the notifier contract) when set… */
  webhookUrl?: string;
  /** …else to this notifier (e.g. the reference ledger's), else to the log */
  notifier?: NotifierPort;
}

export interface HttpAdapters {
  wms: WmsPort;
  erp: ErpPort;
  notifier: NotifierPort;
  masterData: MasterDataPort;
  /** the breakers, for readiness and metrics */
  remotes: { wms: Remote; erp: Remote; webhook?: Remote };
}

/** The WMS, ERP and notifier ports over the REST contract of docs/adapters.md. */
export function createHttpAdapters(opts: HttpAdapterOptions): HttpAdapters {
  for (const [name, url] of [['wmsUrl', opts.wmsUrl], ['erpUrl', opts.erpUrl]] as const) {
    if (!/^https?:\/\/./.test(url)) throw new Error(`http adapter: ${name} must be an http(s) URL, got "${url}"`);
  }
  const remote = (name: string, baseUrl: string) =>
    new Remote({ name, baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs, circuit: opts.circuit, retry: opts.retry, logger: opts.logger });
  const wms = remote('wms', opts.wmsUrl);
  const erp = remote('erp', opts.erpUrl);
  const webhook = opts.webhookUrl ? remote('webhook', opts.webhookUrl) : undefined;
  return {
    wms: createHttpWms(wms),
    erp: createHttpErp(erp),
    notifier: webhook ? createWebhookNotifier(webhook) : (opts.notifier ?? createLogNotifier(opts.logger)),
    masterData: createMasterData(wms, { redis: opts.redis, ttlSeconds: opts.masterDataTtlSeconds, logger: opts.logger }),
    remotes: { wms, erp, webhook },
  };
}

export { CircuitBreaker, type CircuitState } from './circuit';
export { CircuitOpen, RemoteContractViolation, RemoteUnavailable } from './errors';
export { itemCacheKey, locationCacheKey, type MasterDataPort } from './master-data';
export type { Item, Location } from './contract';
