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
