import type { RateLimit } from '@routemcp/internal-api';

/** A bucket's size (capacity: the largest burst) and refill per second, as the keystore sends it. */
export type { RateLimit };

/** One bucket's state after a decision: what the RateLimit-* headers say of it. */
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

/** One bucket a request must pass. */
export interface BucketSpec {
  /**
   * The store's key. Every key of one plan carries the same Redis Cluster
   * hash tag (`{…}`), so one script sees all of them in one slot.
   */
  readonly key: string;
  /** Its name in RateLimit-Policy (`default` for the one-bucket shorthand). */
  readonly name: string;
  readonly limit: RateLimit;
  /** Counted and shown, never refusing (a new limit rolled out safely). */
  readonly shadow: boolean;
}

/** A count of admitted requests per period, refused past `limit`. */
export interface QuotaSpec {
  /** The store's key, one per period (its start is part of it). */
  readonly key: string;
  readonly limit: number;
  /** Epoch ms at which the period ends (Infinity: never, a `total` quota). */
  readonly endsAt: number;
  /** Admitted in this period before this counter existed: the keystore's count, when the store starts from nothing. */
  readonly seed: number;
}

/** Everything that limits one key's requests: all buckets and the quota must admit. */
export interface LimitPlan {
  /** Requests with the same plan share leases and local state (the key id). */
  readonly id: string;
  readonly buckets: readonly BucketSpec[];
  readonly quota: QuotaSpec | null;
}

export interface QuotaState {
  limit: number;
  remaining: number;
  /** Seconds to the period's end (null for a `total` quota). */
  resetSeconds: number | null;
}

/** The answer for one request. */
export interface LimitResult {
  allowed: boolean;
  /** What refused it: a bucket (429 RATE_LIMITED) or the quota (429 QUOTA_EXCEEDED); null when allowed. */
  refusedBy: 'bucket' | 'quota' | null;
  /** The bucket the RateLimit-* headers describe: the refusing one, else the one with the least left. */
  headline: Decision;
  /** Every bucket's state, in plan order (RateLimit-Policy). */
  buckets: readonly Decision[];
  /** Names of shadow buckets that would have refused this request. */
  shadowRefused: readonly string[];
  quota: QuotaState | null;
}

export type LimiterMode = 'redis' | 'memory' | 'fallback';

export interface Limiter {
  /**
   * Decides one request against every bucket of the plan and its quota
   * (all must admit; nothing is spent when one refuses). Never rejects: when
   * the shared store is slow or down the answer comes from local buckets.
   * Answered synchronously whenever it is decided locally (memory, a held
   * lease, the fallback).
   */
  admit(plan: LimitPlan, cost?: number): LimitResult | Promise<LimitResult>;
  /** A single bucket: the plan of a key with no policies. */
  take(bucketId: string, limit: RateLimit, cost?: number): Decision | Promise<Decision>;
  /** 'fallback' means Redis is configured but not being used right now. */
  mode(): LimiterMode;
  /** Gives back what this process holds (leases), then closes the store. */
  close(): Promise<void>;
}
