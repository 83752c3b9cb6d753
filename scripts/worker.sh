#!/usr/bin/env bash
# The worker process (`npm run worker`, scripts/dev.sh, the image's worker, the tests' spawned
# workers): src/main/worker.ts on Node, with jemalloc as the process's allocator when the machine
# has it. Cached cases leave memory outside the JS heap (the SDK's core, buffers); glibc's malloc
# keeps far more of it resident than jemalloc does (docs/perf/workflow.md, "The allocator: jemalloc").
#   WORKER_ALLOCATOR=glibc   run on the C library's malloc instead
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${WORKER_ALLOCATOR:-jemalloc}" = "jemalloc" ]; then
  for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
    if [ -e "$lib" ]; then
      export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
      break
    fi
  done
fi
exec node --import tsx src/main/worker.ts "$@"
