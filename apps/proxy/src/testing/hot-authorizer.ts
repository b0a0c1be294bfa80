import { generate, hash } from '@routemcp/api-key';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock as clock } from '../clock.ts';
import { CachingKeyVerifier, KeyLookupMetrics, type KeyRecord } from '../key-lookup/index.ts';
import { AuthFailureBudget, Authorizer, createPublicPathMatcher, policyOf, readHead } from '../pipeline/index.ts';
import { FailoverLimiter } from '../rate-limit/failover-limiter.ts';
import { LeaseBook } from '../rate-limit/lease-book.ts';
import type { LimitPlan } from '../rate-limit/limiter.ts';
import { MemoryTokenBucket } from '../rate-limit/memory-token-bucket.ts';
import type { SharedReply } from '../rate-limit/shared-limits.ts';
import { CircuitBreaker, RoundTripDeadline } from '../resilience/index.ts';
import { MemoryKeystoreClient } from './memory-keystore-client.ts';

export interface HotAuthorizer {
  authorizer: Authorizer;
  /** The one key it knows, live, with a bucket far larger than any run. */
  key: string;
}

/**
 * The real Authorizer — CachingKeyVerifier over an in-memory keystore, the
 * FailoverLimiter with token leases — for one hot key whose record is cached
 * and whose lease is held, so every later authorize() takes the hot path
 * synchronously, as a busy proxy's does. Redis is a stub that grants a
 * lease far larger than the run. For the measuring tools beside it.
 */
export async function hotAuthorizer(options: {
  logger: Logger;
  registry: Registry;
  key?: string;
}): Promise<HotAuthorizer> {
  const { logger, registry } = options;
  const key = options.key ?? generate('live');
  const limit = { capacity: 1_000_000_000, refillPerSecond: 1_000_000_000 };
  const record: KeyRecord = {
    id: 'key_1',
    accountId: 'acct_1',
    environment: 'live',
    expiresAt: null,
    rateLimit: limit,
  };
  const keystore = new MemoryKeystoreClient();
  keystore.put(hash(key), record);
  const verifier = new CachingKeyVerifier({
    keystore,
    metrics: new KeyLookupMetrics(registry),
    clock,
    cacheMaxKeys: 10_000,
    cacheTtlMs: 3_600_000,
    negativeTtlMs: 60_000,
    staleIfErrorMs: 0,
  });
  const store = {
    ready: true,
    decide: async (plan: LimitPlan): Promise<SharedReply> => ({
      admitted: true,
      refusedBy: null,
      quotaUsed: 0,
      quotaGranted: 0,
      buckets: plan.buckets.map(() => ({ granted: 1e9, tokens: 1e9, msToFull: 1, msToRetry: 0, shadowRefused: false })),
    }),
  };
  const limiter = new FailoverLimiter({
    local: new MemoryTokenBucket({ clock }),
    registry,
    logger,
    clock,
    leases: new LeaseBook({ clock, ttlMs: 3_600_000 }),
    shared: {
      store,
      breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000, clock }),
      deadline: new RoundTripDeadline({ floorMs: 1_000, capMs: 1_000 }),
      close: async () => undefined,
    },
  });
  const rateLimits = { live: limit, test: limit };
  const authorizer = new Authorizer({
    verifier,
    limiter,
    clock,
    isPublic: createPublicPathMatcher([]),
    maxBodyBytes: 1_000_000,
    rateLimits,
    failures: new AuthFailureBudget({ limitPerMinute: 100, maxClients: 1_000, clock }),
  });
  // The first lookup and the first lease are asynchronous: settle both.
  await verifier.verify(hash(key));
  await limiter.admit(policyOf(record, rateLimits).plan(clock.now()));
  return { authorizer, key };
}

/** A request for `authorize()` on the hot key, as the server's request class carries it. */
export function hotRequest(key: string, url = '/api/v1/contacts?provider=hubspot') {
  return {
    method: 'GET',
    url,
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    head: readHead(['Host', '127.0.0.1:5001', 'Authorization', `Bearer ${key}`]),
    clientAddress: '127.0.0.1',
    socket: {},
    gone: () => false,
  };
}
