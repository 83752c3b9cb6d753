import { z } from 'zod';

/**
 * The only reader of process.env. Parsed once with zod; a bad value fails fast with the
 * variable's name.
 */
const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().min(1).default('postgres://reckon:reckon@127.0.0.1:5432/reckon'),
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
  /** a larger message body is dead-lettered unread */
  RABBITMQ_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(128 * 1024 * 1024).default(256 * 1024),
  /** longest wait between reconnects to the broker (the backoff doubles up to it) */
  RABBITMQ_RECONNECT_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** longest wait between retries of a held message whose intake failed for a transient reason */
  RABBITMQ_RETRY_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** the intake sweeper (in the worker process): how often it looks for stored events whose phase two never ran (0: off), and how old they must be */
  INTAKE_SWEEP_EVERY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  INTAKE_SWEEP_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
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
