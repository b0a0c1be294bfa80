/**
 * The proxy's own CPU per request on the hot path, in-process and without
 * sockets: `node apps/proxy/src/testing/hot-path-cpu.ts [warn|info] [requests]`.
 * Each request runs the handler's steps as the server runs them — readHead,
 * the request id, authorize() with the real CachingKeyVerifier and a held
 * token lease, upstreamHeaders, the recorder (at info: the access-log line
 * through the proxy's sonic-boom settings, into /dev/null) — on one
 * keep-alive "connection". CPU time from process.cpuUsage(), so other
 * processes on the machine do not move it the way they move req/s; prints
 * five runs and their median. A measuring tool, not a test: compare a
 * change by running it before and after, interleaved.
 */
import { generate, hash } from '@routemcp/api-key';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { systemClock as clock } from '../clock.ts';
import { CachingKeyVerifier, KeyLookupMetrics, type KeyRecord } from '../key-lookup/index.ts';
import { ProxyMetrics, Recorder } from '../observability/index.ts';
import {
  AuthFailureBudget,
  Authorizer,
  ClientAddresses,
  createPublicPathMatcher,
  policyOf,
  readHead,
  requestIdOf,
  upstreamHeaders,
  type PipelineRequest,
} from '../pipeline/index.ts';
import { FailoverLimiter } from '../rate-limit/failover-limiter.ts';
import { LeaseBook } from '../rate-limit/lease-book.ts';
import type { LimitPlan } from '../rate-limit/limiter.ts';
import { MemoryTokenBucket } from '../rate-limit/memory-token-bucket.ts';
import type { SharedReply } from '../rate-limit/shared-limits.ts';
import { CircuitBreaker, RoundTripDeadline } from '../resilience/index.ts';
import { MemoryKeystoreClient } from './memory-keystore-client.ts';

const level = process.argv[2] === 'info' ? 'info' : 'warn';
const requests = Number(process.argv[3] ?? 1_000_000);
const limit = { capacity: 1_000_000, refillPerSecond: 1_000_000 };
const key = generate('live');
const record: KeyRecord = { id: 'key_1', accountId: 'acct_1', environment: 'live', expiresAt: null, rateLimit: limit };
const keystore = new MemoryKeystoreClient();
keystore.put(hash(key), record);
const registry = new Registry();
const logger = pino(
  { level, base: { service: 'routemcp-proxy' }, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ dest: '/dev/null', sync: false, minLength: 4096, periodicFlush: 200 }),
);
const verifier = new CachingKeyVerifier({
  keystore,
  metrics: new KeyLookupMetrics(registry),
  clock,
  cacheMaxKeys: 10_000,
  cacheTtlMs: 3_600_000,
  negativeTtlMs: 60_000,
  staleIfErrorMs: 0,
});
/** Redis as the lease sees it: every call grants a lease far larger than the run. */
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
const clients = new ClientAddresses([]);
const recorder = new Recorder({ logger, metrics: new ProxyMetrics({ registry }), usage: { record() {} } });
const rawHeaders = ['Host', '127.0.0.1:5001', 'Authorization', `Bearer ${key}`];
const socket = {};

function once(): void {
  const head = readHead(rawHeaders);
  const req: PipelineRequest = {
    method: 'GET',
    url: '/api/v1/contacts?provider=hubspot',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    head,
    clientAddress: clients.of('127.0.0.1', head.forwardedFor),
    socket,
    gone: () => false,
  };
  const started = performance.now();
  const requestId = requestIdOf(head.requestId);
  const own = ['X-Request-Id', requestId];
  const result = authorizer.authorize(req);
  if (result instanceof Promise || result.kind !== 'authorized' || result.key === null)
    throw new Error('the hot path was not taken');
  for (const header of result.headers) own.push(header);
  upstreamHeaders(
    { rawHeaders, head, clientAddress: req.clientAddress },
    result.key,
    requestId,
    false,
    result.policy?.upstreamHeaders,
  );
  recorder.record({
    requestId,
    keyId: result.key.id,
    accountId: result.key.accountId,
    method: 'GET',
    target: req.url,
    statusCode: 200,
    outcome: 'ok',
    startedAt: started,
    forwardedAt: started,
    upstreamRespondedAt: performance.now(),
    upgrade: false,
  });
}

/** `count` requests, yielding to the event loop now and then as a server would (the logger writes meanwhile). */
async function run(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    once();
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
}

// The first lookup and the first lease are asynchronous: settle both, then warm the JIT.
await verifier.verify(hash(key));
await limiter.admit(policyOf(record, rateLimits).plan(clock.now()));
await run(200_000);
const perRun: number[] = [];
for (let r = 0; r < 5; r++) {
  const before = process.cpuUsage();
  await run(requests / 5);
  const used = process.cpuUsage(before);
  perRun.push((used.user + used.system) / (requests / 5));
}
const sorted = [...perRun].sort((a, b) => a - b);
process.stdout.write(
  `${level}: µs CPU per request, 5 runs: ${perRun.map((x) => x.toFixed(3)).join(' ')}; median ${sorted[2]!.toFixed(3)}\n`,
);
process.exit(0);
