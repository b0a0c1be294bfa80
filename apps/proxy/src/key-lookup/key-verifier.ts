import type { Environment } from '@routemcp/api-key';
import type { RateLimit } from '../rate-limit/index.ts';

/** What the proxy knows of a valid key. Never holds the key itself. */
export interface KeyRecord {
  id: string;
  accountId: string;
  environment: Environment;
  /** Epoch ms; enforced by the proxy, also for cached entries. */
  expiresAt: number | null;
  /** Per-key override; null means the environment's default. */
  rateLimit: RateLimit | null;
  /**
   * Key policies (absent or null: none). They come from the keystore with
   * the key and change through its change events like a revoke.
   */
  /** The customer the key belongs to: forwarded as X-RouteMCP-Owner-Id, the scope of shared limits. */
  ownerId?: string | null;
  /** `METHOD /path` patterns the key may call. */
  permissions?: readonly string[] | null;
  /** Addresses and CIDRs the key may be used from. */
  allowedIps?: readonly string[] | null;
  /** Several buckets, all of which must admit; `rateLimit` is the one-bucket shorthand. */
  rateLimits?: readonly NamedRateLimit[] | null;
  quota?: KeyQuota | null;
  /** Forwarded as X-RouteMCP-Key-Meta (base64url of its JSON). */
  metadata?: Readonly<Record<string, unknown>> | null;
}

export interface NamedRateLimit extends RateLimit {
  name: string;
  /** One bucket for every key of the owner. */
  shared: boolean;
  /** Counted, never refusing. */
  shadow: boolean;
}

export interface KeyQuota {
  limit: number;
  period: 'day' | 'month' | 'total';
  /** Counted over every key of the owner. */
  shared: boolean;
  /** Admitted in the period as the keystore counted it when the key was looked up. */
  used: number;
  /** Start of the period `used` is about (epoch ms). */
  periodStart: number;
}

export type Verdict =
  | { ok: true; key: KeyRecord }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' }
  /** Keystore down/slow/garbage and nothing usable cached: answer 503, never 401, never let through. */
  | { ok: false; reason: 'unavailable' };

export interface VerifierHealth {
  /** The last keystore call (lookup or event stream) succeeded. */
  keystoreReachable: boolean;
  eventsConnected: boolean;
  cachedKeys: number;
}

/**
 * Told after the verifier dropped what it knew of a key because the keystore
 * said it changed (`keyHash`), or of every key (`null`: a flush). Whoever
 * holds something granted on an earlier answer (an open tunnel) asks again.
 */
export type KeyChangeListener = (keyHash: string | null) => void;

export interface KeyVerifier {
  /**
   * Looks a key up by its SHA-256 hex. Never rejects. A cached answer comes
   * back synchronously: the hot path pays no promise for a hit.
   */
  verify(keyHash: string): Verdict | Promise<Verdict>;
  health(): VerifierHealth;
  /** Adds a listener for changed keys (see KeyChangeListener). */
  onChange(listener: KeyChangeListener): void;
  /** Opens the change-event stream. */
  start(): Promise<void>;
  close(): Promise<void>;
}
