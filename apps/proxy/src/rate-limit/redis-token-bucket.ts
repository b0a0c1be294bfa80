import { createClient } from 'redis';
import type { Decision, RateLimit } from './limiter.ts';
import { takeTokensScript } from './take-script.ts';
import { toDecision } from './token-bucket.ts';

const KEY_PREFIX = 'routemcp:rl:';

/** A node-redis client with the bucket script registered. */
export function createBucketClient(url: string, connectTimeoutMs: number) {
  return createClient({
    url,
    scripts: { takeTokens: takeTokensScript },
    // Commands fail at once while disconnected instead of queueing for a Redis that may never return.
    disableOfflineQueue: true,
    // TokenBucketLimiter times each take itself. node-redis's default 5 s command timeout is an
    // AbortSignal.timeout per command that cannot be cancelled: every one fires later and builds a
    // DOMException (1.5% of the proxy's CPU in the profile). 0 turns it off.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), 2_000),
    },
  });
}

export type BucketClient = ReturnType<typeof createBucketClient>;

/**
 * Token buckets shared by every proxy, in Redis: one EVALSHA per take, in
 * one round trip. It has no timeout or fallback of its own (FailoverLimiter
 * adds them); its promise rejects when Redis errors.
 */
export class RedisTokenBucket {
  readonly #client: BucketClient;

  constructor(client: BucketClient) {
    this.#client = client;
  }

  get ready(): boolean {
    return this.#client.isReady;
  }

  async take(bucketId: string, limit: RateLimit, cost = 1): Promise<Decision> {
    const [allowed, tokens, msToFull, msToRetry] = await this.#client.takeTokens(
      KEY_PREFIX + bucketId,
      limit.capacity,
      limit.refillPerSecond,
      cost,
    );
    return toDecision(limit, allowed === 1, tokens ?? 0, msToFull ?? 0, msToRetry ?? 0);
  }
}
