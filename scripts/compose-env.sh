#!/usr/bin/env bash
# Writes .env for `docker compose` once: random passwords for Reckon's Postgres roles and
# RabbitMQ, the audit chain key, and an Ed25519 pair for signing approver actions. Compose reads
# .env itself; the stack refuses to start without these (NODE_ENV=production). Keep the file safe.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -s .env ] && grep -q '^AUDIT_HMAC_KEY=' .env; then echo ".env already holds Reckon's secrets"; exit 0; fi
umask 077
rand() { node -e "process.stdout.write(require('crypto').randomBytes(24).toString('base64url'))"; }
{
  echo "RECKON_DB_PASSWORD=$(rand)"
  echo "RECKON_APP_DB_PASSWORD=$(rand)"
  echo "RECKON_MQ_PASSWORD=$(rand)"
  echo "AUDIT_HMAC_KEY=$(rand)$(rand)"
  echo "OPS_TOKEN=$(rand)"
  node -e "
    const { generateKeyPairSync } = require('crypto');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    console.log('ACTOR_SIGNING_KEY=' + privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
    console.log('ACTOR_VERIFY_KEY=' + publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));"
} >>.env
echo "wrote .env (readable by you only)"
