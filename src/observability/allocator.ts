import { readFileSync } from 'node:fs';

/**
 * The malloc a process runs on (this one by default): jemalloc when scripts/worker.sh preloaded
 * it, else the C library's. Logged at the worker's start and recorded by the bench's rss phase,
 * since a worker's memory per cached case depends on it.
 */
export function processAllocator(pid: number | 'self' = 'self'): 'jemalloc' | 'libc' | 'unknown' {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libjemalloc') ? 'jemalloc' : 'libc';
  } catch {
    return 'unknown';
  }
}
