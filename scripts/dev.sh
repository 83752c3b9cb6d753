#!/usr/bin/env bash
# Runs Reckon locally, from a fresh machine (Debian, Node 20, Python 3):
#   installs what is missing and starts Postgres + Redis (scripts/setup.sh), a Temporal dev server
#   (SQLite file under data/, UI on :8233, search attributes registered), applies migrations,
#   creates a bootstrap admin key once, loads the demo ledger, then runs the worker and the API.
# Logs go to data/*.log. Ctrl-C (or TERM) stops everything this script started.
# API_REPLICAS / WORKER_REPLICAS (1 each by default) run more of each, as the compose stack does:
#   API replicas on PORT+1.. behind nginx on PORT (scripts/lb-conf.sh), workers on one task queue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

log() { printf '\033[1;32m[dev]\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m[dev]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[dev]\033[0m %s\n' "$*" >&2; exit 1; }

bash scripts/setup.sh

# logs, keys and Temporal's SQLite (every case's history) are readable by this user only
umask 077
DATA_DIR="${RECKON_DATA_DIR:-data}"
mkdir -p "$DATA_DIR"
chmod 700 "$DATA_DIR"
find "$DATA_DIR" -maxdepth 1 -type f -exec chmod 600 {} +
API_PORT="${PORT:-3000}"
API_REPLICAS="${API_REPLICAS:-1}"
WORKER_REPLICAS="${WORKER_REPLICAS:-1}"
[[ "$API_REPLICAS" =~ ^[1-9][0-9]?$ && "$WORKER_REPLICAS" =~ ^[1-9][0-9]?$ ]] \
  || { printf 'API_REPLICAS and WORKER_REPLICAS take 1 to 99\n' >&2; exit 2; }
UI_PORT="${TEMPORAL_UI_PORT:-8233}"
TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
T_HOST="${TEMPORAL_ADDRESS%:*}"
T_PORT="${TEMPORAL_ADDRESS##*:}"

# --- what we start, and how it stops ------------------------------------------------------
PIDS=()
NAMES=()
cleanup() {
  set +e
  trap - INT TERM EXIT
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid="${PIDS[$i]}"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping ${NAMES[$i]} (pid $pid)"
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts a command in its own session (so stopping it stops its children) with its log in data/.
start_bg() {
  local name="$1"
  shift
  setsid "$@" >"$DATA_DIR/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
}

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

show_log() {
  warn "last lines of $DATA_DIR/$1.log:"
  tail -n 30 "$DATA_DIR/$1.log" >&2 || true
}

# --- Temporal ----------------------------------------------------------------------------
TEMPORAL="${TEMPORAL_CLI:-}"
if [ -z "$TEMPORAL" ]; then
  if [ -x .venv/bin/temporal ]; then TEMPORAL="$ROOT/.venv/bin/temporal"
  elif command -v temporal >/dev/null 2>&1; then TEMPORAL="$(command -v temporal)"
  else die "Temporal CLI not found (scripts/setup.sh installs it into .venv)"; fi
fi

# the search attributes come from src/workflows/search-attributes.ts, nowhere else
mapfile -t SA_FLAGS < <(npx --no-install tsx src/main/cli.ts search-attributes)
[ "${#SA_FLAGS[@]}" -gt 0 ] || die "could not list the search attributes (src/cli/search-attributes.ts)"

STARTED_TEMPORAL=0
if listening "$T_HOST" "$T_PORT"; then
  log "Temporal already listening on $TEMPORAL_ADDRESS: using it"
  # make sure our search attributes exist there (creating an existing one is harmless)
  for ((i = 1; i < ${#SA_FLAGS[@]}; i += 2)); do
    "$TEMPORAL" operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
      --name "${SA_FLAGS[$i]%%=*}" --type "${SA_FLAGS[$i]#*=}" >/dev/null 2>&1 \
      || warn "could not register search attribute ${SA_FLAGS[$i]} on $TEMPORAL_ADDRESS"
  done
else
  case "$T_HOST" in
    127.0.0.1 | localhost) ;;
    *) die "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS is not reachable, and this script only starts a local server" ;;
  esac
  log "starting the Temporal dev server on $TEMPORAL_ADDRESS (UI :$UI_PORT, history in $DATA_DIR/temporal.db)"
  start_bg temporal "$TEMPORAL" server start-dev \
    --db-filename "$DATA_DIR/temporal.db" \
    --ip 127.0.0.1 --port "$T_PORT" \
    --ui-ip 127.0.0.1 --ui-port "$UI_PORT" --ui-disable-news-fetch \
    --namespace "$TEMPORAL_NAMESPACE" \
    --log-level warn \
    "${SA_FLAGS[@]}"
  STARTED_TEMPORAL=1
  for _ in $(seq 1 120); do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { show_log temporal; die "the Temporal dev server exited"; }
    if "$TEMPORAL" operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING; then break; fi
    sleep 0.5
  done
  "$TEMPORAL" operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING \
    || { show_log temporal; die "the Temporal dev server did not become ready within 60 s"; }
fi

# --- database, bootstrap key, demo data ----------------------------------------------------
log "migrating the database"
npm run --silent migrate

KEY_FILE="$DATA_DIR/admin.key"
case "$KEY_FILE" in /*) KEY_PATH="$KEY_FILE" ;; *) KEY_PATH="$ROOT/$KEY_FILE" ;; esac
# a kept key must still be one this database knows (it may have been dropped and re-created)
if [ -s "$KEY_FILE" ]; then
  set +e
  npm run --silent keys -- check <"$KEY_FILE" 2>"$DATA_DIR/key-check.log"
  key_status=$?
  set -e
  case "$key_status" in
    0) ;;
    3) warn "$KEY_FILE is not an active key in this database (reset?): replacing it"; rm -f "$KEY_FILE" ;;
    *) show_log key-check; die "could not check $KEY_FILE against the database" ;;
  esac
fi
if [ ! -s "$KEY_FILE" ]; then
  log "creating the bootstrap admin key"
  (umask 077 && npm run --silent keys -- create --user admin --roles admin --sites '*' >"$KEY_FILE.tmp")
  mv "$KEY_FILE.tmp" "$KEY_FILE"
fi

# a person for the inbox: user demo, a random password kept in data/. A kept password signs in
# again after the database was reset (the user is created again with it when missing).
USER_FILE="$DATA_DIR/demo-user.txt"
DEMO_ROLES=(--user demo --name "Demo approver" --roles inventory_control,site_supervisor,counter --sites '*')
if [ -s "$USER_FILE" ]; then
  DEMO_PASSWORD="$(sed -n 's/^password: //p' "$USER_FILE")"
  [ -n "$DEMO_PASSWORD" ] || die "$USER_FILE holds no 'password:' line; remove it to make a new demo user"
  printf '%s\n' "$DEMO_PASSWORD" | npm run --silent users -- create "${DEMO_ROLES[@]}" --if-missing 2>"$DATA_DIR/demo-user.log" \
    || { show_log demo-user; die "could not make sure the demo user exists"; }
  if grep -q '^created' "$DATA_DIR/demo-user.log"; then
    log "the demo user was missing (database reset?): created again with the password in $USER_FILE"
  fi
else
  log "creating the demo inbox user"
  DEMO_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s\n' "$DEMO_PASSWORD" | npm run --silent users -- create "${DEMO_ROLES[@]}"
  (umask 077 && printf 'user: demo\npassword: %s\n' "$DEMO_PASSWORD" >"$USER_FILE")
fi

if [ -f fixtures/demo.json ]; then
  log "loading the demo ledger (fixtures/demo.json)"
  npm run --silent ledger -- load fixtures/demo.json >"$DATA_DIR/ledger-load.log" \
    || { show_log ledger-load; die "loading fixtures/demo.json failed"; }
fi

# --- worker and API --------------------------------------------------------------------------
if listening 127.0.0.1 "$API_PORT"; then
  die "something already listens on :$API_PORT (another Reckon?). Stop it, or set PORT."
fi
log "starting $WORKER_REPLICAS worker(s), $API_REPLICAS API replica(s) and the queue consumer"
METRICS_BASE="${WORKER_METRICS_PORT:-9464}"
if [ "$WORKER_REPLICAS" = 1 ]; then
  start_bg worker npm run worker
else
  # one task queue, one metrics port each (WORKER_METRICS_PORT, WORKER_METRICS_PORT+1, ...)
  for ((i = 1; i <= WORKER_REPLICAS; i++)); do
    start_bg "worker-$i" env WORKER_METRICS_PORT="$((METRICS_BASE + i - 1))" npm run worker
  done
fi
API_PORTS=("$API_PORT")
API_NAMES=(api)
if [ "$API_REPLICAS" = 1 ]; then
  start_bg api npm run api
else
  API_PORTS=()
  API_NAMES=()
  for ((i = 1; i <= API_REPLICAS; i++)); do
    port=$((API_PORT + i))
    listening 127.0.0.1 "$port" && die "something already listens on :$port, which API replica $i needs. Stop it, or set PORT."
    API_PORTS+=("$port")
    API_NAMES+=("api-$i")
    # behind one proxy hop: the caller's address (rate limits, the audit) is the forwarded one
    start_bg "api-$i" env PORT="$port" HOST=127.0.0.1 TRUST_PROXY="${TRUST_PROXY:-1}" npm run api
  done
fi
start_bg consumer npm run consumer

for _ in $(seq 1 120); do
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { show_log "${NAMES[$i]}"; die "${NAMES[$i]} exited during start-up"; }
  done
  up=0
  for port in "${API_PORTS[@]}"; do listening 127.0.0.1 "$port" && up=$((up + 1)); done
  [ "$up" = "${#API_PORTS[@]}" ] && break
  sleep 0.5
done
for i in "${!API_PORTS[@]}"; do
  listening 127.0.0.1 "${API_PORTS[$i]}" || { show_log "${API_NAMES[$i]}"; die "${API_NAMES[$i]} did not listen on :${API_PORTS[$i]} within 60 s"; }
done
if [ "$API_REPLICAS" != 1 ]; then
  command -v nginx >/dev/null 2>&1 || die "nginx not found (scripts/setup.sh installs it)"
  LB_DIR="$ROOT/$DATA_DIR/lb"
  case "$DATA_DIR" in /*) LB_DIR="$DATA_DIR/lb" ;; esac
  bash scripts/lb-conf.sh "$API_PORT" "$LB_DIR" "${API_PORTS[@]}" >"$LB_DIR.conf"
  log "starting the load balancer (nginx) on :$API_PORT over ${API_PORTS[*]}"
  start_bg lb nginx -p "$LB_DIR" -c "$LB_DIR.conf"
  for _ in $(seq 1 40); do listening 127.0.0.1 "$API_PORT" && break; sleep 0.25; done
  listening 127.0.0.1 "$API_PORT" || { show_log lb; die "the load balancer did not listen on :$API_PORT"; }
fi

# the demo cases, once per data directory (RECKON_DEMO=0 skips them)
if [ "${RECKON_DEMO:-1}" != 0 ] && [ ! -f "$DATA_DIR/demo.reported" ]; then
  log "reporting the demo discrepancies through the API"
  if npm run --silent demo; then touch "$DATA_DIR/demo.reported"; else warn "the demo cases could not be reported (see above)"; fi
fi

REPLICAS_LINE=""
if [ "$API_REPLICAS$WORKER_REPLICAS" != 11 ]; then
  REPLICAS_LINE=$'\n'"    replicas       $WORKER_REPLICAS workers, $API_REPLICAS API replicas"
  [ "$API_REPLICAS" = 1 ] || REPLICAS_LINE+=" (:${API_PORTS[*]}) behind nginx on :$API_PORT"
fi
cat <<EOF

  Reckon is running.
    Inbox          http://localhost:$API_PORT/app    (sign in with the user and password in $USER_FILE)
    API            http://localhost:$API_PORT        (OpenAPI: http://localhost:$API_PORT/openapi.json, reference: /docs)
    Temporal UI    http://localhost:$UI_PORT$([ "$STARTED_TEMPORAL" = 1 ] || echo "   (server started elsewhere)")
    Temporal       $TEMPORAL_ADDRESS, namespace $TEMPORAL_NAMESPACE
    admin key      $KEY_PATH
                   curl -H "Authorization: Bearer \$(cat $KEY_FILE)" http://localhost:$API_PORT/v1/discrepancies
    logs           $DATA_DIR/{$(IFS=,; echo "${NAMES[*]}")}.log$REPLICAS_LINE

  Ctrl-C stops what this script started.

EOF

# --- wait: until Ctrl-C/TERM, or until something we started exits -------------------------
set +e
wait -n "${PIDS[@]}"
status=$?
for i in "${!PIDS[@]}"; do
  if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
    warn "${NAMES[$i]} exited (status $status); stopping the rest"
    show_log "${NAMES[$i]}"
  fi
done
exit 1
