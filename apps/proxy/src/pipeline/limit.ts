import type { Environment } from '@routemcp/api-key';
import type { KeyRecord } from '../key-lookup/key-verifier.ts';
import type { Decision, Limiter, RateLimit } from '../rate-limit/limiter.ts';

export type RateLimitDefaults = Readonly<Record<Environment, RateLimit>>;

/** Minimal response surface, so the step is testable without a server. */
export interface HeaderSink {
  setHeader(name: string, value: string | number): unknown;
}

/** One token from the key's own bucket (bucket id = key id), sized by its override or its environment's default. */
export function takeToken(limiter: Limiter, defaults: RateLimitDefaults, key: KeyRecord): Promise<Decision> {
  return limiter.take(key.id, key.rateLimit ?? defaults[key.environment]);
}

/** RateLimit-* on every proxied response, and Retry-After on a refusal. */
export function setRateLimitHeaders(res: HeaderSink, decision: Decision): void {
  res.setHeader('RateLimit-Limit', decision.limit);
  res.setHeader('RateLimit-Remaining', decision.remaining);
  res.setHeader('RateLimit-Reset', decision.resetSeconds);
  if (!decision.allowed) res.setHeader('Retry-After', Math.max(1, decision.retryAfterSeconds));
}

/** The same headers as a record, for answers written straight on an upgrade socket. */
export function rateLimitHeaderRecord(decision: Decision): Record<string, string | number> {
  const headers: Record<string, string | number> = {};
  setRateLimitHeaders({ setHeader: (name, value) => (headers[name] = value) }, decision);
  return headers;
}
