import type { Environment } from '@routemcp/api-key';
import type { KeyRecord } from '../key-lookup/index.ts';
import type { Decision, Limiter, RateLimit } from '../rate-limit/index.ts';

export type RateLimitDefaults = Readonly<Record<Environment, RateLimit>>;

/**
 * One token from the key's own bucket (bucket id = key id), sized by its
 * override or its environment's default. Synchronous when the limiter can
 * answer locally.
 */
export function takeToken(limiter: Limiter, defaults: RateLimitDefaults, key: KeyRecord): Decision | Promise<Decision> {
  return limiter.take(key.id, key.rateLimit ?? defaults[key.environment]);
}

/**
 * Appends RateLimit-* (and Retry-After on a refusal) to a flat header list:
 * every answer is written with one `writeHead(status, list)`, never through
 * `setHeader`.
 */
export function pushRateLimitHeaders(list: string[], decision: Decision): void {
  list.push(
    'RateLimit-Limit',
    String(decision.limit),
    'RateLimit-Remaining',
    String(decision.remaining),
    'RateLimit-Reset',
    String(decision.resetSeconds),
  );
  if (!decision.allowed) list.push('Retry-After', String(Math.max(1, decision.retryAfterSeconds)));
}
