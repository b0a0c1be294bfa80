import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's scrypt minimum (Password Storage Cheat Sheet) in its 32 MiB form:
 * N=2^15, r=8, p=3, listed there as equivalent to N=2^17, r=8, p=1 (128 MiB).
 * Chosen for memory: at most LOGIN_CHECK_CONCURRENCY hashes run at once, and
 * 2 × 32 MiB fits the keystore's 256 MiB limit where 2 × 128 MiB would not.
 * Measured here (2 loaded cores): about 0.4 s per hash.
 */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SCHEME = 'scrypt';

export type PasswordCheck =
  { valid: false } | { valid: true; /** Stored with weaker parameters: hash it again now. */ rehash: boolean };

/** Hashes and checks dashboard passwords; injected so tests can count checks or hash cheaply. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<PasswordCheck>;
}

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash, so older ones still verify. */
export class ScryptHasher implements PasswordHasher {
  readonly #cost: ScryptCost;

  /** Production uses SCRYPT_COST; tests pass a cheaper one through the app's options, never through the env. */
  constructor(cost: ScryptCost = SCRYPT_COST) {
    this.#cost = cost;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.#cost);
    const { N, r, p } = this.#cost;
    return [SCHEME, N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    const parsed = parseStored(stored);
    if (parsed === undefined) return { valid: false };
    const got = await derive(password, parsed.salt, parsed.cost);
    if (got.length !== parsed.key.length || !timingSafeEqual(got, parsed.key)) return { valid: false };
    return { valid: true, rehash: weaker(parsed.cost, this.#cost) };
  }
}

/** Less work (N·r·p) or less memory (N·r) than `target`: a hash at least as costly in both is kept. */
function weaker(stored: ScryptCost, target: ScryptCost): boolean {
  return stored.N * stored.r * stored.p < target.N * target.r * target.p || stored.N * stored.r < target.N * target.r;
}

function parseStored(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== SCHEME || salt === undefined || key === undefined || rest.length > 0) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a damaged row from asking for gigabytes; every hash this code ever wrote is inside them.
  const powerOfTwo = Number.isInteger(cost.N) && cost.N >= 2 && cost.N <= 2 ** 20 && (cost.N & (cost.N - 1)) === 0;
  const small = (value: number) => Number.isInteger(value) && value >= 1 && value <= 32;
  if (!powerOfTwo || !small(cost.r) || !small(cost.p)) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  // 128·N·r bytes are needed; Node's default cap (32 MiB) is exactly that at N=2^15, r=8, so give headroom.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error === null ? resolve(key) : reject(error),
    ),
  );
}
