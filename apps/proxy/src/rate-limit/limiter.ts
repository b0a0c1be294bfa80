import type { RateLimit } from '@routemcp/internal-api';

/** A bucket's size (capacity: the largest burst) and refill per second, as the keystore sends it. */
export type { RateLimit };

export interface Decision {
  allowed: boolean;
  /** RateLimit-Limit: the bucket capacity. */
  limit: number;
  /** RateLimit-Remaining: whole tokens left after this request. */
  remaining: number;
  /** RateLimit-Reset: seconds until the bucket is full again (delta, never a timestamp). */
  resetSeconds: number;
  /** Retry-After on a 429: whole seconds until one token is back; 0 when allowed. */
  retryAfterSeconds: number;
}

export type LimiterMode = 'redis' | 'memory' | 'fallback';

export interface Limiter {
  /**
   * Takes `cost` tokens from the bucket `bucketId`. Never rejects: when the
   * shared store is slow or down the answer comes from a local bucket. A
   * bucket answered locally answers synchronously (no promise on that path).
   */
  take(bucketId: string, limit: RateLimit, cost?: number): Decision | Promise<Decision>;
  /** 'fallback' means Redis is configured but not being used right now. */
  mode(): LimiterMode;
  close(): Promise<void>;
}
