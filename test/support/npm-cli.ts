import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm run --silent SCRIPT -- ARGS…` as an operator runs it, against the suite's database, with
 * `input` on standard input (a password, a key) and `env` beside the suite's: its exit status and
 * what it printed.
 */
export function npmRun(script: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const { input, env } = opts;
  const run = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
