import type { Pool } from 'pg';
import { CircuitOpen, createHttpAdapters, RemoteContractViolation, RemoteUnavailable, type HttpAdapterOptions } from '../../src/adapters/http';
import { AdapterRejection } from '../../src/adapters/errors';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { withCorrelation } from '../../src/observability/correlation';
import { createPool } from '../../src/store/db';
import { seedBalance } from '../support/cases';
import { eventually, uniq } from '../support/engine';
import { startLedgerRemote, type LedgerRemote } from './servers';

/** The http adapter against a remote that fails, stalls and comes back: retries, timeouts, the circuit. */
let pool: Pool;
let remote: LedgerRemote;
const logger = createLogger({ LOG_LEVEL: 'silent' }, 'http-adapter-test');

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  remote = await startLedgerRemote(pool);
});
afterAll(async () => {
  await remote?.stop();
  await pool?.end();
});
afterEach(() => {
  remote.failWith = undefined;
  remote.failTimes = undefined;
  remote.stallMs = undefined;
});

function adapters(overrides: Partial<HttpAdapterOptions> = {}) {
  return createHttpAdapters({
    wmsUrl: remote.wmsUrl,
    erpUrl: remote.erpUrl,
    apiKey: remote.apiKey,
    timeoutMs: 2000,
    circuit: { failures: 3, resetMs: 300 },
    retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 50 },
    masterDataTtlSeconds: 60,
    logger,
    ...overrides,
  });
}

async function stock() {
  const key = { site: uniq('HA'), sku: uniq('SKU'), location: 'A-01' };
  await seedBalance(pool, { ...key, wms: 50, erp: 50 });
  return key;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: Error) => e,
  );
}

describe('retries', () => {
  it('a write that meets two 503s is retried with the same Idempotency-Key and lands once', async () => {
    const { wms } = adapters({ retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } });
    const key = await stock();
    remote.failWith = 503;
    remote.failTimes = 2;
    const before = remote.hits('/wms/adjustments');
    const idempotencyKey = uniq('adj');
    const out = await wms.postAdjustment({ ...key, qty: -2, target: 'both', reasonCode: 'CC', caseId: uniq('case'), actor: 'test', idempotencyKey });
    expect(out.replayed).toBe(false);
    const sent = remote.requests.filter((r) => r.path === '/wms/adjustments').slice(before);
    expect(sent.map((r) => r.idempotencyKey)).toEqual([idempotencyKey, idempotencyKey, idempotencyKey]);
    expect(await wms.getBalance(key)).toEqual({ qty: 48, heldQty: 0 });
  });

  it('when every attempt fails the error is retryable (RemoteUnavailable), not a business refusal', async () => {
    const { erp } = adapters({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } });
    remote.failWith = 500;
    const err = await failure(erp.getOnHand(await stock()));
    expect(err).toBeInstanceOf(RemoteUnavailable);
    expect(err).not.toBeInstanceOf(AdapterRejection);
    expect((err as RemoteUnavailable).reason).toBe('http_500');
  });

  it('a remote that does not answer in time is a timeout', async () => {
    const { wms } = adapters({ timeoutMs: 200 });
    remote.stallMs = 1000;
    const err = await failure(wms.getBalance(await stock()));
    expect(err).toBeInstanceOf(RemoteUnavailable);
    expect((err as RemoteUnavailable).reason).toBe('timeout');
  });

  it('a wrong key is retryable (an operator can fix it), a 4xx refusal is not', async () => {
    const wrong = adapters({ apiKey: 'not-the-key' });
    const err = await failure(wrong.wms.getBalance(await stock()));
    expect(err).toBeInstanceOf(RemoteUnavailable);
    expect((err as RemoteUnavailable).reason).toBe('unauthorized');
    const refused = await failure(adapters().wms.releaseHold({ holdId: uniq('HLD'), idempotencyKey: uniq('k') }));
    expect(refused).toBeInstanceOf(AdapterRejection);
  });

  it('a 2xx body outside the contract is a contract violation, not data', async () => {
    remote.failWith = 200;
    const err = await failure(adapters().wms.getBalance(await stock()));
    expect(err).toBeInstanceOf(RemoteContractViolation);
    expect(err.message).toContain('balance');
  });
});

describe('correlation', () => {
  it('every call made inside a correlation carries its id; calls outside carry none', async () => {
    const { wms, erp } = adapters();
    const key = await stock();
    const correlationId = uniq('corr');
    const before = remote.requests.length;
    await withCorrelation({ correlationId }, async () => {
      await wms.getBalance(key);
      await erp.getOnHand(key);
      await wms.postAdjustment({ ...key, qty: -1, target: 'both', reasonCode: 'CC', caseId: uniq('case'), actor: 'test', idempotencyKey: uniq('adj') });
    });
    await wms.getBalance(key);
    const sent = remote.requests.slice(before);
    expect(sent.map((r) => r.correlationId)).toEqual([correlationId, correlationId, correlationId, undefined]);
  });
});

describe('circuit breaker, counted on the server', () => {
  it('opens after N failures and then fails fast without calling the remote', async () => {
    const { wms } = adapters();
    const key = await stock();
    remote.failWith = 503;
    const before = remote.hits('/wms/balances');
    for (let i = 0; i < 3; i++) expect(await failure(wms.getBalance(key))).toBeInstanceOf(RemoteUnavailable);
    expect(remote.hits('/wms/balances') - before).toBe(3);
    const fast = await failure(wms.getBalance(key));
    expect(fast).toBeInstanceOf(CircuitOpen);
    await failure(wms.listReturnsPending(key));
    expect(remote.hits('/wms/balances') - before).toBe(3);
    expect(remote.hits('/wms/returns/pending')).toBe(0);
  });

  it('closes after resetMs once the remote answers again; only the trial call reached the server', async () => {
    const { wms, remotes } = adapters();
    const key = await stock();
    remote.failWith = 503;
    for (let i = 0; i < 3; i++) await failure(wms.getBalance(key));
    expect(remotes.wms.circuit.state).toBe('open');
    remote.failWith = undefined;
    const before = remote.hits('/wms/balances');
    const balance = await eventually(async () => {
      try {
        return await wms.getBalance(key);
      } catch (err) {
        if (!(err instanceof CircuitOpen)) throw err;
        return undefined;
      }
    }, 10_000, 20);
    expect(balance).toEqual({ qty: 50, heldQty: 0 });
    expect(remote.hits('/wms/balances') - before).toBe(1);
    expect(remotes.wms.circuit.state).toBe('closed');
    expect(await wms.getBalance(key)).toEqual({ qty: 50, heldQty: 0 });
  });

  it('a failed trial opens it again; the ERP has its own circuit', async () => {
    const { wms, erp, remotes } = adapters();
    const key = await stock();
    remote.failWith = 503;
    for (let i = 0; i < 3; i++) await failure(wms.getBalance(key));
    const before = remote.hits('/wms/balances');
    await eventually(async () => (await failure(wms.getBalance(key))) instanceof RemoteUnavailable, 10_000, 20);
    expect(remote.hits('/wms/balances') - before).toBe(1);
    expect(remotes.wms.circuit.state).toBe('open');
    expect(await failure(wms.getBalance(key))).toBeInstanceOf(CircuitOpen);

    remote.failWith = undefined;
    expect(remotes.erp.circuit.state).toBe('closed');
    expect(await erp.getOnHand(key)).toEqual({ qty: 50 });
  });
});
