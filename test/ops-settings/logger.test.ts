import { createLogger } from '../../src/logger';
import { withCorrelation } from '../../src/observability/correlation';

function rawLogger(config: Parameters<typeof createLogger>[0] = { LOG_LEVEL: 'info' }) {
  const raw: string[] = [];
  const logger = createLogger(config, 'test', { write: (s: string) => void raw.push(s) });
  return { logger, raw, parsed: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('no secret is logged', () => {
  const TEMPORAL_API_KEY = 'tmprl-key-0123456789abcdef';
  const ADAPTER_HTTP_API_KEY = 'wms-key-fedcba9876543210';

  it('by field name: authorization headers, API keys, passwords, the config keys, TLS private keys', () => {
    const { logger, raw } = rawLogger();
    logger.info({ headers: { authorization: 'Bearer rk_live_1', 'x-api-key': 'rk_live_2' } }, 'a');
    logger.info({ req: { headers: { authorization: 'Bearer rk_live_3', cookie: 'sid=rk_live_4' } } }, 'b');
    logger.info({ request: { headers: { Authorization: 'Bearer rk_live_5' } } }, 'c');
    logger.info({ apiKey: 'rk_live_6', adapter: { apiKey: 'rk_live_7' }, db: { password: 'rk_live_8' } }, 'd');
    logger.info({ config: { TEMPORAL_API_KEY: 'rk_live_9', ADAPTER_HTTP_API_KEY: 'rk_live_10' } }, 'e');
    logger.info({ temporal: { metadata: { authorization: 'Bearer rk_live_11' }, tls: { clientCertPair: { key: 'rk_live_12' } } } }, 'f');
    expect(raw.join('')).not.toMatch(/rk_live/);
    expect(raw.join('')).toContain('[redacted]');
  });

  it('by value: the configured Temporal and adapter keys are scrubbed wherever they appear, even in a message', () => {
    const { logger, raw } = rawLogger({ LOG_LEVEL: 'info', TEMPORAL_API_KEY, ADAPTER_HTTP_API_KEY });
    logger.warn({ err: { message: `401 from https://wms.example/api?key=${ADAPTER_HTTP_API_KEY}` } }, 'adapter call failed');
    logger.error(`could not connect with ${TEMPORAL_API_KEY}`);
    const text = raw.join('');
    expect(text).not.toContain(TEMPORAL_API_KEY);
    expect(text).not.toContain(ADAPTER_HTTP_API_KEY);
    expect(text.match(/\[redacted\]/g)).toHaveLength(2);
  });
});

describe('correlation fields', () => {
  it('lines written inside a correlation carry it; lines outside do not', () => {
    const { logger, parsed } = rawLogger();
    withCorrelation({ correlationId: 'abc', workflowId: 'disc-x', activity: 'fetchWmsBalance' }, () => logger.info('inside'));
    logger.info('outside');
    const [inside, outside] = parsed();
    expect(inside).toMatchObject({ correlationId: 'abc', workflowId: 'disc-x', activity: 'fetchWmsBalance', msg: 'inside' });
    expect(outside.correlationId).toBeUndefined();
  });

  it('a child logger that binds the id already does not get it twice (log pipelines refuse duplicate keys)', () => {
    const { logger, raw } = rawLogger();
    withCorrelation({ correlationId: 'abc' }, () => logger.child({ correlationId: 'abc' }).info('once'));
    expect(raw[0].match(/"correlationId"/g)).toHaveLength(1);
  });

  it('follows awaits', async () => {
    const { logger, parsed } = rawLogger();
    await withCorrelation({ correlationId: 'later' }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      logger.info('after a timer');
    });
    expect(parsed()[0].correlationId).toBe('later');
  });
});
