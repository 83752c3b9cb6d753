import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** JSON logs; secrets (API keys, authorization headers) are redacted wherever they appear. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, name: string): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'apiKey', 'key', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}
