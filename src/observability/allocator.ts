import { readFileSync } from 'node:fs';

/**
 * The malloc this process runs on: jemalloc when scripts/worker.sh preloaded it, else the C
 * library's. Logged at the worker's start, since a worker's memory per cached case depends on it.
 */
export function processAllocator(): 'jemalloc' | 'libc' | 'unknown' {
  try {
    return readFileSync('/proc/self/maps', 'utf8').includes('libjemalloc') ? 'jemalloc' : 'libc';
  } catch {
    return 'unknown';
  }
}
