#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then runs the type check, the linter and the whole
# jest suite. Extra arguments go to jest, e.g. `bash scripts/test.sh test/unit` or `-t ladder`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;35m[test]\033[0m %s\n' "$*"; }

bash scripts/setup.sh

log "type check (tsc --noEmit)"
npx tsc --noEmit -p .

log "lint (eslint)"
npx eslint .

log "jest"
npx jest --ci "$@"

# the planner and triage again with the fake WMS/ERP over HTTP through the http adapter (the
# per-kind and watcher scenarios run on both adapters in test/ingest/every-door-http-adapter.test.ts)
if [ "$#" -eq 0 ]; then
  log "jest, ADAPTER=http: planner and triage"
  RECKON_TEST_ADAPTER=http npx jest --ci test/planner/planner.test.ts test/triage/incidents.test.ts
fi
