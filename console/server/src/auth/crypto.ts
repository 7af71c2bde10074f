import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A random token with 256 bits of entropy, URL-safe. */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** SHA-256 of a random high-entropy token: enough to store tokens, secrets and session ids. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** scrypt work factors: CPU/memory cost N (a power of two), block size r, parallelism p. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (128 MiB and roughly a tenth of
 * a second per hash). Hashes keep their own parameters, so older, weaker ones still verify and are
 * re-hashed at the next successful login (`needsRehash`).
 */
export const PRODUCTION_SCRYPT: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;
/** parameters read from the database above these are refused, so a damaged row cannot exhaust memory */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

let cost: ScryptCost = PRODUCTION_SCRYPT;

/**
 * Lowers the password hashing cost for the tests of this process (each hash at the production
 * cost takes 128 MiB). Refused outside vitest, so a production console never hashes weaker.
 */
export function setTestPasswordCost(test: ScryptCost): void {
  if (!process.env.VITEST) throw new Error('a lower password hashing cost is for tests only');
  cost = test;
}

/** the cost new password hashes get */
export function passwordCost(): ScryptCost {
  return cost;
}

// Each hash holds 128·N·r bytes; at most this many run at once, so a burst of logins cannot take
// the memory of the machine (nor every thread of libuv's pool, which file I/O shares).
const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function scryptAsync(password: string, salt: Buffer, c: ScryptCost, keylen: number) {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((go) => waiting.push(go));
  running++;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      scrypt(password, salt, keylen, { ...c, maxmem: 2 * 128 * c.N * c.r }, (err, key) =>
        err ? reject(err) : resolve(key),
      );
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function format(c: ScryptCost, salt: Buffer, key: Buffer): string {
  return `scrypt$${c.N}$${c.r}$${c.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash extends ScryptCost {
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const ok = (v: number, max: number) => Number.isSafeInteger(v) && v >= 1 && v <= max;
  if (!ok(N, MAX_N) || N < 2 || (N & (N - 1)) !== 0 || !ok(r, MAX_R) || !ok(p, MAX_P)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 16 || key.length < 16) return undefined;
  return { N, r, p, salt, key };
}

/** Password hash as `scrypt$N$r$p$salt$hash` (base64url parts), at the current cost. */
export async function hashPassword(password: string, c: ScryptCost = cost): Promise<string> {
  const salt = randomBytes(16);
  return format(c, salt, await scryptAsync(password, salt, c, KEYLEN));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await scryptAsync(password, h.salt, h, h.key.length);
  return timingSafeEqual(key, h.key);
}

/** whether a stored hash is weaker than what new hashes get (then re-hash it after a good login) */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  if (!h) return true;
  return h.N < cost.N || h.r < cost.r || h.p < cost.p || h.key.length < KEYLEN;
}

let dummy: { cost: ScryptCost; hash: string } | undefined;

/**
 * A hash that never matches, at the current cost: an unknown user name costs the same time as a
 * known one with a wrong password, so the answer does not tell whether the account exists.
 */
export function dummyPasswordHash(): string {
  if (dummy?.cost !== cost) dummy = { cost, hash: format(cost, randomBytes(16), randomBytes(KEYLEN)) };
  return dummy.hash;
}

/** A readable generated password for the first admin (no look-alike characters). */
export function generatePassword(length = 20): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
