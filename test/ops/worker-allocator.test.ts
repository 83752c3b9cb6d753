import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { spawnWorker, stopWorker } from '../support/worker-process';

/**
 * Every worker starts through scripts/worker.sh, which runs it on jemalloc (setup.sh and the
 * image install it): a cached case then keeps about a quarter less resident memory than on
 * glibc's malloc (docs/perf/workflow.md). WORKER_ALLOCATOR=glibc opts out.
 */
const JEMALLOC = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'].some(existsSync);
const started: ChildProcess[] = [];
afterAll(async () => {
  for (const w of started) await stopWorker(w);
});

/** The worker's memory map once the launcher has exec'd node (same pid) and its libraries are loaded. */
async function mapsOf(env: Record<string, string>): Promise<string> {
  const worker = spawnWorker(env);
  started.push(worker);
  const deadline = Date.now() + 20_000;
  for (;;) {
    let exe = '';
    let maps = '';
    try {
      exe = readlinkSync(`/proc/${worker.pid}/exe`);
      maps = readFileSync(`/proc/${worker.pid}/maps`, 'utf8');
    } catch {
      // not started yet
    }
    // preloaded libraries are mapped with the C library, before node's main
    if (/\/node$/.test(exe) && maps.includes('libc.so')) return maps;
    if (Date.now() > deadline) throw new Error(`the worker launcher did not exec node within 20 s (exe: ${exe || 'none'})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('setup.sh has installed jemalloc on this machine', () => {
  expect(JEMALLOC).toBe(true);
});

it('a worker started as every worker is runs on jemalloc', async () => {
  expect(await mapsOf({ TEMPORAL_TASK_QUEUE: 'allocator-check', WORKER_METRICS_PORT: '0' })).toContain('libjemalloc');
});

it('WORKER_ALLOCATOR=glibc runs it on the C library’s malloc', async () => {
  expect(await mapsOf({ TEMPORAL_TASK_QUEUE: 'allocator-check', WORKER_METRICS_PORT: '0', WORKER_ALLOCATOR: 'glibc' })).not.toContain('libjemalloc');
});
