#!/bin/sh
# Runs once, when the compose stack's Postgres volume is first created: Reckon's two roles and
# its database beside Temporal's. `reckon` owns the schema and runs migrations (the init service);
# `reckon_app` is what the API, worker and consumer connect as (docs/security.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$RECKON_DB_PASSWORD" -v app_pw="$RECKON_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE reckon LOGIN PASSWORD :'owner_pw';
CREATE ROLE reckon_app LOGIN PASSWORD :'app_pw';
CREATE DATABASE reckon OWNER reckon;
SQL
