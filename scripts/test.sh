#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then runs the type check, the linter, the whole
# jest suite and the fault suite in its small size. Extra arguments go to jest, e.g.
# `bash scripts/test.sh test/unit` or `-t ladder` (and then the fault suite is left out).
# RECKON_FAULTS=full runs the fault suite in its full size, RECKON_FAULTS=off leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;35m[test]\033[0m %s\n' "$*"; }

FAULTS="${RECKON_FAULTS:-small}"
case "$FAULTS" in small|full|off) ;; *) echo "RECKON_FAULTS must be small, full or off, not $FAULTS" >&2; exit 2 ;; esac
[ "$#" -gt 0 ] && FAULTS=off

bash scripts/setup.sh

log "type check (tsc --noEmit)"
npx tsc --noEmit -p .

log "lint (eslint)"
npx eslint .

log "jest"
npx jest --ci "$@"

# the end-to-end tests of every kind, the watchers, the dead-end paths, the planner and triage
# again with the fake WMS/ERP over HTTP through the http adapter (the per-kind scenarios through
# every door also run on both adapters in test/ingest/every-door-http-adapter.test.ts)
if [ "$#" -eq 0 ]; then
  log "jest, ADAPTER=http: every kind end to end, watchers, dead ends, planner and triage"
  RECKON_TEST_ADAPTER=http npx jest --ci test/e2e test/detection test/workflow/no-dead-ends.test.ts \
    test/planner/planner.test.ts test/triage/incidents.test.ts
fi

if [ "$FAULTS" != off ]; then
  log "fault suite ($FAULTS; docs/faults.md)"
  figures="$(mktemp /tmp/reckon-fault-figures.XXXXXX)"
  trap 'rm -f "$figures"' EXIT
  FAULT_SIZE="$FAULTS" FAULT_FIGURES_FILE="$figures" npx jest --ci --config jest.faults.config.js
  log "$(head -n 1 "$figures")"
fi
