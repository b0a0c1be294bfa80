import type { Decision, Limiter, LimiterMode, RateLimit } from '../rate-limit/index.ts';

/** A bucket that never refills, so tests can exhaust it deterministically. */
export class FakeLimiter implements Limiter {
  readonly calls: { bucketId: string; limit: RateLimit; cost: number }[] = [];
  currentMode: LimiterMode = 'memory';
  closed = false;
  #used = new Map<string, number>();

  async take(bucketId: string, limit: RateLimit, cost = 1): Promise<Decision> {
    this.calls.push({ bucketId, limit, cost });
    const used = this.#used.get(bucketId) ?? 0;
    const allowed = used + cost <= limit.capacity;
    const nowUsed = allowed ? used + cost : used;
    this.#used.set(bucketId, nowUsed);
    return {
      allowed,
      limit: limit.capacity,
      remaining: limit.capacity - nowUsed,
      resetSeconds: Math.ceil(nowUsed / limit.refillPerSecond),
      retryAfterSeconds: allowed ? 0 : Math.ceil(cost / limit.refillPerSecond),
    };
  }

  mode(): LimiterMode {
    return this.currentMode;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
