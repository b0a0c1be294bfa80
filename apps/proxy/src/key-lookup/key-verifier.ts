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

export interface KeyVerifier {
  /**
   * Looks a key up by its SHA-256 hex. Never rejects. A cached answer comes
   * back synchronously: the hot path pays no promise for a hit.
   */
  verify(keyHash: string): Verdict | Promise<Verdict>;
  health(): VerifierHealth;
  /** Opens the change-event stream. */
  start(): Promise<void>;
  close(): Promise<void>;
}
