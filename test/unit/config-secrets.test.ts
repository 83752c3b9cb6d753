import { generateKeyPairSync } from 'node:crypto';
import { DEV_SECRETS, loadConfig } from '../../src/config';

/** Production refuses public development secrets, missing secrets and default credentials. */
const pair = generateKeyPairSync('ed25519');
const own = {
  ACTOR_SIGNING_KEY: pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  ACTOR_VERIFY_KEY: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  AUDIT_HMAC_KEY: 'k'.repeat(48),
  OPS_TOKEN: 'o'.repeat(32),
  DATABASE_URL: 'postgres://reckon_app:s3cret-pw@db:5432/reckon',
  RABBITMQ_URL: 'amqp://reckon-consumer:s3cret-pw@mq:5672',
};

function refusedNames(env: Record<string, string>): string[] {
  try {
    loadConfig({ NODE_ENV: 'production', ...env });
    return [];
  } catch (err) {
    return [...(err as Error).message.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]).sort();
  }
}

it('starts in production with secrets and credentials of its own', () => {
  expect(refusedNames(own)).toEqual([]);
});

it.each<[string, Record<string, string>, string[]]>([
  ['nothing set at all', {}, ['ACTOR_VERIFY_KEY', 'AUDIT_HMAC_KEY', 'DATABASE_URL', 'OPS_TOKEN', 'RABBITMQ_URL']],
  ['the development signing key', { ...own, ACTOR_SIGNING_KEY: DEV_SECRETS.ACTOR_SIGNING_KEY }, ['ACTOR_SIGNING_KEY']],
  ['the development verifying key', { ...own, ACTOR_VERIFY_KEY: DEV_SECRETS.ACTOR_VERIFY_KEY }, ['ACTOR_VERIFY_KEY']],
  ['the development audit key', { ...own, AUDIT_HMAC_KEY: DEV_SECRETS.AUDIT_HMAC_KEY }, ['AUDIT_HMAC_KEY']],
  ['a short audit key', { ...own, AUDIT_HMAC_KEY: 'short' }, ['AUDIT_HMAC_KEY']],
  ['the default database password', { ...own, DATABASE_URL: 'postgres://reckon:reckon@db:5432/reckon' }, ['DATABASE_URL']],
  ['RabbitMQ guest', { ...own, RABBITMQ_URL: 'amqp://guest:guest@mq:5672' }, ['RABBITMQ_URL']],
])('refuses %s', (_name, env, names) => {
  expect(refusedNames(env)).toEqual(names);
});

it('a worker needs no signing key: only the API holds it', () => {
  const { ACTOR_SIGNING_KEY: _dropped, ...worker } = own;
  expect(loadConfig({ NODE_ENV: 'production', ...worker }).ACTOR_SIGNING_KEY).toBe('');
});

it('development fills in the public stand-ins', () => {
  const c = loadConfig({ NODE_ENV: 'development' });
  expect([c.ACTOR_SIGNING_KEY, c.ACTOR_VERIFY_KEY, c.AUDIT_HMAC_KEY]).toEqual([DEV_SECRETS.ACTOR_SIGNING_KEY, DEV_SECRETS.ACTOR_VERIFY_KEY, DEV_SECRETS.AUDIT_HMAC_KEY]);
});
