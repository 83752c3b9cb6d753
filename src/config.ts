import { z } from 'zod';
import { parsePublisherSites } from './ingest/publishers';

/**
 * The only reader of process.env. Parsed once with zod; a bad value fails fast with the
 * variable's name.
 */
const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

/**
 * Development and test stand-ins for the secrets below: public, in this file, so a local stack
 * works with no setup; refused when NODE_ENV=production (docs/security.md).
 */
export const DEV_SECRETS = {
  ACTOR_SIGNING_KEY: 'MC4CAQAwBQYDK2VwBCIEIEFJ4zIrkvaW6eGQdnwt3MvkiLzK0REVa2iykAE5UHbV',
  ACTOR_VERIFY_KEY: 'MCowBQYDK2VwAyEAkggJjXsQHtguNHAeo4xHO3y83pmCwPK/NjwzgUqLXWc=',
  AUDIT_HMAC_KEY: 'reckon-development-audit-chain-key-not-for-production',
} as const;

/** Local roles made by scripts/setup.sh: the owner runs migrations, the app role runs Reckon. */
export const DEFAULT_APP_DATABASE_URL = 'postgres://reckon_app:reckon_app@127.0.0.1:5432/reckon';
export const DEFAULT_OWNER_DATABASE_URL = 'postgres://reckon:reckon@127.0.0.1:5432/reckon';
const DEFAULT_PASSWORDS = ['', 'reckon', 'reckon_app'];

const SECRET_NAMES = Object.keys(DEV_SECRETS) as (keyof typeof DEV_SECRETS)[];

/** user:password of a URL, for spotting default credentials */
function credentials(url: string): { user: string; password: string } | null {
  try {
    const u = new URL(url);
    return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  } catch {
    return null;
  }
}

const BaseSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** the application's role: no DDL, the audit log and policies append-only (docs/security.md) */
  DATABASE_URL: z.string().min(1).default(DEFAULT_APP_DATABASE_URL),
  /**
   * The schema owner's role, for migrations only (`npm run migrate`, and the worker at start).
   * Empty: the owner on the local default database, or DATABASE_URL itself when that was set.
   */
  MIGRATION_DATABASE_URL: z.string().default(''),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379/0'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('reckon-discrepancies'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** where the local stack keeps its files (Temporal's SQLite, the bootstrap admin key) */
  RECKON_DATA_DIR: z.string().default('data'),
  /** the largest JSON body the API accepts */
  API_BODY_LIMIT: z.string().default('256kb'),
  /**
   * How long the API keeps an idle keep-alive connection. Longer than any load balancer in front
   * keeps its idle upstream connections (nginx: `keepalive_timeout`, 60 s in docker/nginx), or a
   * request it sends on one just as the API closes it fails: a POST is not resent, a 502.
   */
  API_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(65_000),
  /**
   * The largest single event or discrepancy report, on every door: HTTP (413), each item of an
   * event batch, and a queue message (dead-lettered unread). Below the broker's max_message_size.
   */
  MAX_EVENT_BYTES: z.coerce.number().int().min(1024).max(8 * 1024 * 1024).default(256 * 1024),
  /** evidence look-back window */
  EVIDENCE_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /**
   * Fault injection for the crash tests: `after_adjustment_commit` makes the worker exit
   * right after the ledger commits an adjustment, once per marker file.
   */
  RECKON_FAULT: z.enum(['', 'after_adjustment_commit']).default(''),
  RECKON_FAULT_MARKER: z.string().default(''),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).max(1000).default(100),
  /**
   * Cases kept in the worker's sticky cache (unset: the SDK's size, from the heap limit). Each
   * waiting case held there costs worker memory; one evicted costs a history replay when it next acts.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(1_000_000).optional()),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  PRETTY_LOGS: bool,
  /** Temporal for a remote cluster or Temporal Cloud: mTLS files and/or an API key */
  TEMPORAL_TLS: bool,
  TEMPORAL_TLS_CERT_PATH: z.string().default(''),
  TEMPORAL_TLS_KEY_PATH: z.string().default(''),
  TEMPORAL_TLS_CA_PATH: z.string().default(''),
  TEMPORAL_TLS_SERVER_NAME: z.string().default(''),
  TEMPORAL_API_KEY: z.string().default(''),
  /** RabbitMQ intake */
  RABBITMQ_URL: z.string().min(1).default('amqp://guest:guest@127.0.0.1:5672'),
  RABBITMQ_QUEUE: z.string().min(1).default('reckon.events'),
  RABBITMQ_DLQ: z.string().min(1).default('reckon.events.dlq'),
  RABBITMQ_PREFETCH: z.coerce.number().int().min(1).max(10_000).default(50),
  /** longest wait between reconnects to the broker (the backoff doubles up to it) */
  RABBITMQ_RECONNECT_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** longest wait between retries of a held message whose intake failed for a transient reason */
  RABBITMQ_RETRY_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** attempts at a message failing for a reason other than the infrastructure's, before it is dead-lettered */
  RABBITMQ_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Broker users and their sites, `user=SITE[,SITE...];user2=*`: a message's AMQP user-id (set
   * by the publisher, validated by the broker) must be allowed the event's site. Empty: not checked.
   */
  RABBITMQ_PUBLISHER_SITES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parsePublisherSites(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** the intake sweeper (in the worker process): how often it looks for stored events whose phase two never ran (0: off), and how old they must be */
  INTAKE_SWEEP_EVERY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  INTAKE_SWEEP_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /** the supplier drift check (in the worker process): how often the receipt-vs-ASN CUSUM per supplier runs (0: off) */
  SUPPLIER_DRIFT_CHECK_EVERY_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  /** outbound notifications (who gets which channel is in the policy): SMTP for email, a signed webhook, a chat incoming webhook; empty: that channel is off */
  SMTP_URL: z.string().default(''),
  NOTIFY_EMAIL_FROM: z.string().min(3).default('Reckon <reckon@localhost>'),
  NOTIFY_WEBHOOK_URL: z.string().default(''),
  NOTIFY_WEBHOOK_SECRET: z.string().default(''),
  NOTIFY_CHAT_WEBHOOK_URL: z.string().default(''),
  NOTIFY_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** the base URL people reach Reckon at: links in notifications */
  PUBLIC_URL: z.string().default('http://localhost:3000'),
  /** which adapter serves the WMS/ERP ports */
  ADAPTER: z.enum(['reference', 'http']).default('reference'),
  WMS_HTTP_URL: z.string().default(''),
  ERP_HTTP_URL: z.string().default(''),
  ADAPTER_HTTP_API_KEY: z.string().default(''),
  ADAPTER_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  ADAPTER_CIRCUIT_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  ADAPTER_CIRCUIT_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  MASTER_DATA_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** API protections backed by Redis */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /**
   * Back-pressure of the report intake, per API process: reports taken in at once, how many more
   * may wait for a turn and for how long; beyond that 429 with Retry-After (docs/perf/reports.md).
   */
  REPORT_INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(32),
  REPORT_INTAKE_QUEUE: z.coerce.number().int().min(0).max(100_000).default(512),
  REPORT_INTAKE_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /**
   * An inbox search that matches more open cases in the person's scope than this shows its page
   * but no counts (counting it would read every match); fewer are resolved to ids once and counted.
   */
  INBOX_SEARCH_COUNT_LIMIT: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** how long this process remembers a search as too broad to count, for the live queue's repeats (0: not) */
  INBOX_BROAD_SEARCH_MEMO_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** missing or unknown API keys an address may send a minute before it gets 429 without a lookup */
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /** bearer token for /metrics and /readyz's details (empty: open; required in production) */
  OPS_TOKEN: z.string().default(''),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(86_400),
  /** Prometheus endpoint of the worker (the API serves /metrics itself) */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** the Temporal CLI for the local stack; found in .venv or on PATH when empty */
  TEMPORAL_CLI: z.string().default(''),
  PATH: z.string().default(''),
  /** the dev server's UI port for the local stack */
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** cycle-count planner: sites with a nightly schedule (comma list; empty: none), when, and how many bins a night */
  CYCLE_COUNT_SITES: z
    .string()
    .default('')
    .transform((s) => [...new Set(s.split(',').map((v) => v.trim()).filter((v) => v.length > 0))])
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:#]{0,31}$/, 'site ids: letters, digits and . _ - / : #'))),
  CYCLE_COUNT_CRON: z.string().min(9).default('0 2 * * *'),
  CYCLE_COUNT_TIMEZONE: z.string().min(1).default('UTC'),
  CYCLE_COUNT_TOP_N: z.coerce.number().int().min(1).max(1000).default(50),
  /** the inbox (src/web): how long a sign-in lasts, and failed sign-ins before the account locks for a while */
  WEB_SESSION_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(12),
  WEB_SIGNIN_FREE_TRIES: z.coerce.number().int().min(1).max(100).default(5),
  WEB_SIGNIN_MAX_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** express 'trust proxy' (empty: off; `true`, a hop count or addresses): behind a TLS proxy, cookies get Secure */
  TRUST_PROXY: z.string().default(''),
  /**
   * Ed25519 key (base64 PKCS#8 DER) the API signs approver actions with: only the API holds it
   * (`npm run keys -- actor-keypair` makes a pair). The worker holds ACTOR_VERIFY_KEY, the public half.
   */
  ACTOR_SIGNING_KEY: z.string().trim().default(''),
  ACTOR_VERIFY_KEY: z.string().trim().default(''),
  /** key of the audit log's chain HMAC: a rewritten trail cannot be re-chained without it */
  AUDIT_HMAC_KEY: z.string().default(''),
  /** how often the worker verifies every audit chain (metric reckon_audit_chain_problems, an alert); 0: never */
  AUDIT_VERIFY_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(7 * 86_400).default(3600),
  /**
   * The append-only anchor log (JSON lines, one Merkle root over every chain head per anchor),
   * outside the database; empty: `<RECKON_DATA_DIR>/audit-anchors.jsonl`. Point it at storage the
   * database's administrators cannot rewrite (docs/security.md).
   */
  AUDIT_ANCHOR_FILE: z.string().default(''),
  /** how often the anchoring schedule runs (a Temporal Schedule the worker ensures); 0: no schedule */
  AUDIT_ANCHOR_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(7 * 86_400).default(3600),
});

/** Production refuses the development secrets, missing secrets and default credentials. */
function productionSecrets(c: z.infer<typeof BaseSchema>, ctx: z.RefinementCtx): void {
  if (c.NODE_ENV !== 'production') return;
  for (const name of SECRET_NAMES) {
    if (c[name] && c[name] === DEV_SECRETS[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is the public development value: set a secret of your own' });
  }
  if (!c.ACTOR_VERIFY_KEY) ctx.addIssue({ code: 'custom', path: ['ACTOR_VERIFY_KEY'], message: 'is required in production (npm run keys -- actor-keypair)' });
  if (c.OPS_TOKEN.length < 24) ctx.addIssue({ code: 'custom', path: ['OPS_TOKEN'], message: 'is required in production (24+ characters): it guards /metrics and /readyz details' });
  if (c.AUDIT_HMAC_KEY.length < 32) ctx.addIssue({ code: 'custom', path: ['AUDIT_HMAC_KEY'], message: 'is required in production: at least 32 random characters' });
  for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL'] as const) {
    const db = c[name] ? credentials(c[name]) : null;
    if (db && DEFAULT_PASSWORDS.includes(db.password)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'has no password or the default one: set a password of your own' });
    }
  }
  const mq = credentials(c.RABBITMQ_URL);
  if (mq && (mq.user === 'guest' || mq.password === 'guest' || mq.password === 'reckon' || mq.password === '')) {
    ctx.addIssue({ code: 'custom', path: ['RABBITMQ_URL'], message: 'uses default broker credentials: set a user and password of your own' });
  }
}

const ConfigSchema = BaseSchema.superRefine(productionSecrets).transform((c) => {
  const migrationUrl = c.MIGRATION_DATABASE_URL || (c.DATABASE_URL === DEFAULT_APP_DATABASE_URL ? DEFAULT_OWNER_DATABASE_URL : c.DATABASE_URL);
  if (c.NODE_ENV === 'production') return { ...c, MIGRATION_DATABASE_URL: migrationUrl };
  // development and test: the public stand-ins where nothing was set
  const filled = { ...c, MIGRATION_DATABASE_URL: migrationUrl };
  for (const name of SECRET_NAMES) filled[name] ||= DEV_SECRETS[name];
  return filled;
});

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
