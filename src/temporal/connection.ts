import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config';

export type TemporalConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** Options accepted by both `Connection.connect` (client) and `NativeConnection.connect` (worker). */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TemporalTls;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export class TemporalConnectionConfigError extends Error {
  override name = 'TemporalConnectionConfigError';
}

/**
 * Connection options from the configuration, for a local server (plain gRPC), a self-hosted
 * cluster behind TLS or mTLS, or Temporal Cloud (mTLS or an API key). Certificate files are read
 * here, once, so a missing or unreadable file stops the process at start with the variable's
 * name rather than at the first call.
 *
 * TLS is on when TEMPORAL_TLS is set, or implied by any TLS file, a server name or an API key
 * (an API key must never travel in clear text).
 */
export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const certPath = config.TEMPORAL_TLS_CERT_PATH.trim();
  const keyPath = config.TEMPORAL_TLS_KEY_PATH.trim();
  const caPath = config.TEMPORAL_TLS_CA_PATH.trim();
  const serverName = config.TEMPORAL_TLS_SERVER_NAME.trim();
  const apiKey = config.TEMPORAL_API_KEY.trim();

  if (certPath && !keyPath) throw new TemporalConnectionConfigError('TEMPORAL_TLS_CERT_PATH is set but TEMPORAL_TLS_KEY_PATH is not: mTLS needs both the client certificate and its key');
  if (keyPath && !certPath) throw new TemporalConnectionConfigError('TEMPORAL_TLS_KEY_PATH is set but TEMPORAL_TLS_CERT_PATH is not: mTLS needs both the client certificate and its key');
  if (apiKey && /\s/.test(apiKey)) throw new TemporalConnectionConfigError('TEMPORAL_API_KEY contains whitespace: paste the key alone');

  const tlsOn = config.TEMPORAL_TLS || Boolean(certPath || caPath || serverName || apiKey);
  if (!tlsOn && isTemporalCloud(config.TEMPORAL_ADDRESS)) {
    throw new TemporalConnectionConfigError(
      `TEMPORAL_ADDRESS ${config.TEMPORAL_ADDRESS} is Temporal Cloud: set TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH`,
    );
  }

  const options: TemporalConnectionOptions = { address: config.TEMPORAL_ADDRESS };
  if (tlsOn) {
    const tls: TemporalTls = {};
    if (serverName) tls.serverNameOverride = serverName;
    if (caPath) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA_PATH', caPath, 'CERTIFICATE');
    if (certPath) {
      tls.clientCertPair = {
        crt: readPem('TEMPORAL_TLS_CERT_PATH', certPath, 'CERTIFICATE'),
        key: readPem('TEMPORAL_TLS_KEY_PATH', keyPath, 'PRIVATE KEY'),
      };
    }
    options.tls = tls;
  }
  if (apiKey) {
    options.apiKey = apiKey;
    // Temporal Cloud routes API-key calls by this header on regional endpoints; others ignore it
    options.metadata = { 'temporal-namespace': config.TEMPORAL_NAMESPACE };
  }
  return options;
}

/** What to log about the connection: never a key or a certificate. */
export function describeTemporalConnection(o: TemporalConnectionOptions): { address: string; tls: 'off' | 'tls' | 'mtls'; apiKey: boolean } {
  return {
    address: o.address,
    tls: !o.tls ? 'off' : o.tls.clientCertPair ? 'mtls' : 'tls',
    apiKey: Boolean(o.apiKey),
  };
}

function isTemporalCloud(address: string): boolean {
  const host = address.replace(/:\d+$/, '').toLowerCase();
  return host.endsWith('.tmprl.cloud') || host.endsWith('.api.temporal.io');
}

/** Reads a PEM file, failing with the variable's name when it is missing, unreadable or not PEM. */
function readPem(variable: string, path: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer {
  let data: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    data = readFileSync(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new TemporalConnectionConfigError(`${variable}=${path}: cannot read it (${why})`);
  }
  const text = data.toString('utf8');
  // "PRIVATE KEY" also matches "RSA PRIVATE KEY" and "EC PRIVATE KEY"
  if (!text.includes('-----BEGIN') || !text.includes(label)) {
    throw new TemporalConnectionConfigError(`${variable}=${path}: not a PEM ${label.toLowerCase()}`);
  }
  return data;
}
