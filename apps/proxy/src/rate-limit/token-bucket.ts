import type { Decision, RateLimit } from './limiter.ts';

/**
 * The token-bucket arithmetic the in-memory bucket uses, in JS; the Redis
 * bucket runs the same steps in Lua (take-script.ts). Tokens are fractional,
 * refilled continuously from the time of the last take, capped at capacity.
 */
export interface BucketState {
  tokens: number;
  /** Epoch ms of the last refill. */
  updatedAt: number;
}

/** Below this a bucket would never refill; clamped so times stay finite. */
const MIN_REFILL_PER_SECOND = 1e-6;

export interface TakeResult {
  allowed: boolean;
  /** Tokens left after this take (fractional). */
  tokens: number;
  msToFull: number;
  /** Time until `cost` tokens are available; 0 when allowed. */
  msToRetry: number;
}

/** Refills `state` to `now` (capped at capacity). Mutates `state`. */
export function refill(state: BucketState, limit: RateLimit, now: number): void {
  const perMs = Math.max(limit.refillPerSecond, MIN_REFILL_PER_SECOND) / 1000;
  const elapsed = now - state.updatedAt;
  if (elapsed > 0) state.tokens = Math.min(limit.capacity, state.tokens + elapsed * perMs);
  if (state.tokens > limit.capacity) state.tokens = limit.capacity;
  state.updatedAt = Math.max(state.updatedAt, now);
}

/** What a bucket holding `tokens` says after a take that was (or was not) `allowed`. */
export function resultOf(limit: RateLimit, allowed: boolean, tokens: number, cost: number): TakeResult {
  const perMs = Math.max(limit.refillPerSecond, MIN_REFILL_PER_SECOND) / 1000;
  return {
    allowed,
    tokens,
    msToFull: Math.ceil((limit.capacity - tokens) / perMs),
    msToRetry: allowed ? 0 : Math.ceil((cost - tokens) / perMs),
  };
}

/** Refills `state` to `now` and takes `cost` if there is enough. Mutates `state`. */
export function takeTokens(state: BucketState, limit: RateLimit, cost: number, now: number): TakeResult {
  refill(state, limit, now);
  const allowed = state.tokens >= cost;
  if (allowed) state.tokens -= cost;
  return resultOf(limit, allowed, state.tokens, cost);
}

/**
 * The headers' view of a take. `resetSeconds` is the time until the bucket
 * is full again (RateLimit-Reset as a delta: when a client may burst the
 * whole capacity), rounded up; `retryAfterSeconds` is at least 1 on a 429
 * so a client never retries in a tight loop.
 */
export function toDecision(
  limit: RateLimit,
  allowed: boolean,
  tokens: number,
  msToFull: number,
  msToRetry: number,
): Decision {
  return {
    allowed,
    limit: limit.capacity,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.ceil(msToFull / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(msToRetry / 1000)),
  };
}
