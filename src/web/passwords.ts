import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes with scrypt, a memory-hard KDF: N=2^15, r=8 costs 32 MiB and ~0.1 s per guess
 * on one core. The parameters travel in the stored text, so they can be raised later without
 * breaking existing hashes.
 */
const PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_LEN = 64;
const MAX_MEM = 64 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 10;

function derive(password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, { ...o, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** False for a wrong password or a hash this code did not write; never throws on bad input. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || N > 1 << 20) return false;
  const expected = Buffer.from(parts[5], 'base64url');
  if (expected.length !== KEY_LEN) return false;
  const key = await derive(password, Buffer.from(parts[4], 'base64url'), { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A hash no password matches: unknown user names cost the same time as known ones. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoy;
}
