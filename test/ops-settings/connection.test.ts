import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { describeTemporalConnection, temporalConnectionOptions, type TemporalConnectionConfig } from '../../src/temporal/connection';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';

let dir: string;
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reckon-tls-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The configuration as the process would parse it from these variables. */
function config(env: Record<string, string>): TemporalConnectionConfig {
  return loadConfig(env);
}

describe('temporalConnectionOptions', () => {
  it('a local server: plain gRPC, nothing else', () => {
    expect(temporalConnectionOptions(config({}))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('TEMPORAL_TLS alone: TLS with the system trust store', () => {
    expect(temporalConnectionOptions(config({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'true' }))).toEqual({
      address: 'temporal.internal:7233',
      tls: {},
    });
  });

  it('mTLS: certificate, key and CA read from their files, server name override', () => {
    const opts = temporalConnectionOptions(
      config({
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_TLS_CERT_PATH: file('client.pem', CERT),
        TEMPORAL_TLS_KEY_PATH: file('client.key', KEY),
        TEMPORAL_TLS_CA_PATH: file('ca.pem', CA),
        TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
      }),
    );
    expect(opts.tls?.clientCertPair?.crt.toString()).toBe(CERT);
    expect(opts.tls?.clientCertPair?.key.toString()).toBe(KEY);
    expect(opts.tls?.serverRootCACertificate?.toString()).toBe(CA);
    expect(opts.tls?.serverNameOverride).toBe('frontend.temporal.internal');
    expect(opts.apiKey).toBeUndefined();
    expect(describeTemporalConnection(opts)).toEqual({ address: 'temporal.internal:7233', tls: 'mtls', apiKey: false });
  });

  it('Temporal Cloud with an API key: TLS on, the key, the namespace header', () => {
    const opts = temporalConnectionOptions(
      config({ TEMPORAL_ADDRESS: 'reckon-prod.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'reckon-prod.a1b2c', TEMPORAL_API_KEY: 'eyJsecret-key-value' }),
    );
    expect(opts).toEqual({
      address: 'reckon-prod.a1b2c.tmprl.cloud:7233',
      tls: {},
      apiKey: 'eyJsecret-key-value',
      metadata: { 'temporal-namespace': 'reckon-prod.a1b2c' },
    });
    expect(JSON.stringify(describeTemporalConnection(opts))).not.toContain('eyJsecret');
  });

  it('the options fit both the client Connection and the worker NativeConnection', () => {
    const opts = temporalConnectionOptions(config({ TEMPORAL_API_KEY: 'eyJsecret-key-value', TEMPORAL_TLS_CA_PATH: file('ca2.pem', CA) }));
    const forClient: ConnectionOptions = opts;
    const forWorker: NativeConnectionOptions = opts;
    expect(forClient.tls).toEqual(forWorker.tls);
  });

  it.each([
    [{ TEMPORAL_TLS_CERT_PATH: '/x/client.pem' }, /TEMPORAL_TLS_CERT_PATH is set but TEMPORAL_TLS_KEY_PATH is not/],
    [{ TEMPORAL_TLS_KEY_PATH: '/x/client.key' }, /TEMPORAL_TLS_KEY_PATH is set but TEMPORAL_TLS_CERT_PATH is not/],
    [{ TEMPORAL_API_KEY: 'two words' }, /TEMPORAL_API_KEY contains whitespace/],
    [{ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' }, /Temporal Cloud: set TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/],
  ])('refuses %j', (env, message) => {
    expect(() => temporalConnectionOptions(config(env))).toThrow(message);
  });

  it('a missing, unreadable or wrong file stops the start with the variable and the path', () => {
    const missing = join(dir, 'nope.pem');
    expect(() => temporalConnectionOptions(config({ TEMPORAL_TLS_CA_PATH: missing }))).toThrow(`TEMPORAL_TLS_CA_PATH=${missing}: cannot read it (no such file)`);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(() => temporalConnectionOptions(config({ TEMPORAL_TLS_CA_PATH: folder }))).toThrow(/TEMPORAL_TLS_CA_PATH=.*a-folder: cannot read it/);
    // the certificate given where the key belongs
    const swapped = { TEMPORAL_TLS_CERT_PATH: file('c.pem', CERT), TEMPORAL_TLS_KEY_PATH: file('k.pem', CERT) };
    expect(() => temporalConnectionOptions(config(swapped))).toThrow(/TEMPORAL_TLS_KEY_PATH=.*k\.pem: not a PEM private key/);
    expect(() => temporalConnectionOptions(config({ TEMPORAL_TLS_CA_PATH: file('empty.pem', '') }))).toThrow(/not a PEM certificate/);
  });
});
