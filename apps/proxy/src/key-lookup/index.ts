import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock.ts';
import { CachingKeyVerifier } from './caching-key-verifier.ts';
import { CircuitBreaker } from '../resilience/index.ts';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { KeyEventStream } from './key-event-stream.ts';
import { KeyLookupMetrics } from './key-lookup-metrics.ts';
import type { KeyVerifier } from './key-verifier.ts';

export type { KeyQuota, KeyRecord, KeyVerifier, NamedRateLimit, Verdict, VerifierHealth } from './key-verifier.ts';
export { CachingKeyVerifier, type CachingKeyVerifierOptions, type ChangeFeed } from './caching-key-verifier.ts';
export { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from '../resilience/index.ts';
export { HttpKeystoreClient } from './http-keystore-client.ts';
export { KeyEventStream } from './key-event-stream.ts';
export { KeyLookupMetrics } from './key-lookup-metrics.ts';
export type { KeyStatus, KeystoreClient, LookupResult } from './keystore-client.ts';

export interface KeyVerifierFactoryOptions {
  keystoreUrl: string;
  serviceToken: string;
  cacheMaxKeys: number;
  cacheTtlMs: number;
  negativeTtlMs: number;
  staleIfErrorMs: number;
  keystoreTimeoutMs: number;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
}

/** Consecutive keystore failures before lookups fail fast, and for how long before one probe. */
const BREAKER_FAILURES = 5;
const BREAKER_COOL_DOWN_MS = 2_000;

/** The proxy's key verifier: cached keystore lookups kept current by the keystore's change events. */
export function createKeyVerifier(o: KeyVerifierFactoryOptions): KeyVerifier {
  const clock = o.clock ?? systemClock;
  const logger = o.logger.child({ component: 'key-lookup' });
  const metrics = new KeyLookupMetrics(o.registry);
  const breaker = new CircuitBreaker({
    failureThreshold: BREAKER_FAILURES,
    coolDownMs: BREAKER_COOL_DOWN_MS,
    clock,
    onStateChange: (state) => logger.warn({ state }, 'keystore circuit breaker'),
  });
  const keystore = new HttpKeystoreClient({
    keystoreUrl: o.keystoreUrl,
    serviceToken: o.serviceToken,
    timeoutMs: o.keystoreTimeoutMs,
  });
  return new CachingKeyVerifier({
    keystore,
    breaker,
    metrics,
    clock,
    cacheMaxKeys: o.cacheMaxKeys,
    cacheTtlMs: o.cacheTtlMs,
    negativeTtlMs: o.negativeTtlMs,
    staleIfErrorMs: o.staleIfErrorMs,
    changeFeed: (verifier) =>
      new KeyEventStream({
        keystoreUrl: o.keystoreUrl,
        serviceToken: o.serviceToken,
        logger,
        handlers: {
          // A new key only invalidates an earlier "unknown"; nothing positive can be cached for it yet
          // except its own first lookup, which is correct and worth keeping.
          evict: (keyHash, type) => (type === 'created' ? verifier.forgetUnknown(keyHash) : verifier.evict(keyHash)),
          flush: (reason) => {
            logger.info({ reason }, 'key cache flushed');
            verifier.flush();
          },
          connection: (connected) => {
            metrics.streamConnected.set(connected ? 1 : 0);
            verifier.eventsConnection(connected);
          },
          received: (type) => metrics.events.labels(type).inc(),
        },
      }),
  });
}
