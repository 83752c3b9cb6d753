import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';
import { currentCorrelation } from './observability/correlation';

export type { Logger };

export type LoggerConfig = Pick<Config, 'LOG_LEVEL'> & Partial<Pick<Config, 'TEMPORAL_API_KEY' | 'ADAPTER_HTTP_API_KEY'>>;

const SECRET_PATHS = [
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'key',
  'password',
  '*.password',
  'TEMPORAL_API_KEY',
  '*.TEMPORAL_API_KEY',
  'ADAPTER_HTTP_API_KEY',
  '*.ADAPTER_HTTP_API_KEY',
  'metadata.authorization',
  '*.metadata.authorization',
  'tls.clientCertPair.key',
  '*.tls.clientCertPair.key',
];

/** Shorter strings are not scrubbed by value: they would blank out ordinary words. */
const MIN_SCRUBBED_LENGTH = 8;

/**
 * JSON logs. Secrets are redacted by field name wherever they appear, and the configured secret
 * values (Temporal and adapter API keys) are scrubbed from every line as written, so one that
 * ends up in an error message does not leak either. Lines written inside a correlation (an API
 * request, a queue message, an activity) carry its correlation id, workflow id and activity.
 */
export function createLogger(config: LoggerConfig, name: string, destination?: DestinationStream): Logger {
  const secrets = [config.TEMPORAL_API_KEY, config.ADAPTER_HTTP_API_KEY].filter(
    (s): s is string => typeof s === 'string' && s.length >= MIN_SCRUBBED_LENGTH,
  );
  const options: pino.LoggerOptions = {
    name,
    level: config.LOG_LEVEL,
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    mixin: correlationFields,
    ...(secrets.length > 0 ? { hooks: { streamWrite: (line: string) => scrub(line, secrets) } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The current correlation's fields, except those the logger (a child) already binds. */
function correlationFields(_merge: object, _level: number, logger: Logger): Record<string, unknown> {
  const c = currentCorrelation();
  if (!c) return {};
  const bound = (logger as unknown as Record<symbol, string | undefined>)[pino.symbols.chindingsSym] ?? '';
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v !== undefined && !bound.includes(`"${k}":`)) fields[k] = v;
  }
  return fields;
}

function scrub(line: string, secrets: string[]): string {
  let out = line;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

/** A connection URL with its password masked, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
