import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DeadlineQueue, type CircuitBreaker, type Expirable } from '../resilience/index.ts';
import type { LeaseBook } from './leases.ts';
import { resultOf, type Lease } from './leases.ts';
import type { Decision, Limiter, LimiterMode, LimitPlan, LimitResult, RateLimit } from './limiter.ts';
import type { MemoryTokenBucket } from './memory-token-bucket.ts';
import { singleBucketPlan } from './plan.ts';
import { RateLimitMetrics, type DecisionStore } from './rate-limit-metrics.ts';
import { NO_LEASES, type LeaseTraffic, type SharedLimits, type SharedReply } from './shared-limits.ts';

/** The shared store as the limiter sees it (SharedLimits over Redis): may be slow, may reject. */
export interface SharedStore {
  decide(plan: LimitPlan, cost: number, leases?: LeaseTraffic): Promise<SharedReply>;
  /** Connected and usable right now. */
  readonly ready: boolean;
}

export interface TokenBucketLimiterOptions {
  local: MemoryTokenBucket;
  /** Absent: no Redis configured, the local buckets are the limiter (mode 'memory'). */
  shared?: { store: SharedStore | SharedLimits; breaker: CircuitBreaker; timeoutMs: number; close(): Promise<void> };
  /** Token leases on the shared buckets; absent: every request asks Redis (RATE_LIMIT_LEASES=off). */
  leases?: LeaseBook;
  /** Where its metrics are registered. */
  registry: Registry;
  logger: Logger;
  /**
   * While in fallback, how often an idle proxy checks whether Redis is back
   * (so `/readyz` and the degraded gauge recover without waiting for traffic).
   */
  probeIntervalMs?: number;
}

/** A plan no client can name (bucket ids are key ids); the probe spends nothing. */
const PROBE_PLAN = singleBucketPlan('\u0000probe', { capacity: 1, refillPerSecond: 1 });
/** How long close() waits for the give-back of held leases. */
const GIVE_BACK_MS = 1_000;

/**
 * The proxy's limiter. With Redis: a request is decided by one script call
 * that gives up after `timeoutMs`; on a timeout or error this instance's
 * local buckets answer instead (fails open to a local limit: never a 429
 * the local bucket would not give, never a 500). After consecutive failures
 * a breaker skips Redis entirely and lets one probe through per cool-down;
 * the first success puts Redis back in charge. A reply that arrives after
 * we gave up is ignored: Redis has then counted a request the local bucket
 * also counted, which errs on the side of limiting slightly early, never of
 * overrunning. With leases (LeaseBook) a hot key's requests are spent from
 * tokens already debited in Redis, without a call, and held tokens are
 * spent before the fallback while Redis is away.
 *
 * Decided locally (memory, a lease, the breaker open), it answers synchronously.
 */
export class TokenBucketLimiter implements Limiter {
  readonly #options: TokenBucketLimiterOptions;
  readonly #metrics: RateLimitMetrics;
  readonly #deadlines: DeadlineQueue | undefined;
  readonly #leases: LeaseBook | undefined;
  #failing = false;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: TokenBucketLimiterOptions) {
    this.#options = options;
    this.#metrics = new RateLimitMetrics(options.registry, () => this.mode());
    this.#leases = options.shared === undefined ? undefined : options.leases;
    if (options.shared !== undefined) {
      this.#deadlines = new DeadlineQueue({ timeoutMs: options.shared.timeoutMs });
      this.#every(options.probeIntervalMs ?? 1_000, () => void this.#probe());
      if (this.#leases !== undefined) this.#every(250, () => this.#giveBackDue());
    }
  }

  take(bucketId: string, limit: RateLimit, cost = 1): Decision | Promise<Decision> {
    const result = this.admit(singleBucketPlan(bucketId, limit), cost);
    return result instanceof Promise ? result.then(first) : first(result);
  }

  admit(plan: LimitPlan, cost = 1): LimitResult | Promise<LimitResult> {
    const { local, shared } = this.#options;
    if (shared === undefined) return this.#count('memory', local.admit(plan, cost));
    let lease: Lease | null = null;
    if (this.#leases !== undefined) {
      const found = this.#leases.leaseFor(plan);
      lease = found.lease;
      if (found.evicted !== null) void this.#giveBack(found.evicted);
      const spent = this.#leases.spend(lease, cost);
      if (spent !== null) return this.#count('lease', spent);
      // A lease is on its way: spend from it once it lands (or ask again if it was not enough).
      if (lease.pending !== null) return lease.pending.then(() => this.admit(plan, cost));
    }
    if (!shared.breaker.allow()) {
      this.#metrics.redisErrors.circuit_open.inc();
      return this.fallback(plan, cost, lease);
    }
    return this.#call(plan, cost, lease, true);
  }

  mode(): LimiterMode {
    const shared = this.#options.shared;
    if (shared === undefined) return 'memory';
    return shared.store.ready && !this.#failing && shared.breaker.state === 'closed' ? 'redis' : 'fallback';
  }

  /** Gives back every held lease (bounded in time), then closes the store. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    const shared = this.#options.shared;
    if (shared !== undefined && this.#leases !== undefined && shared.store.ready) {
      const backs = this.#leases.holding().map((lease) => this.#giveBack(lease));
      await Promise.race([Promise.allSettled(backs), new Promise((resolve) => setTimeout(resolve, GIVE_BACK_MS))]);
    }
    this.#deadlines?.clear();
    await shared?.close();
    await this.#options.local.close();
  }

  /** Redis answered in time. */
  answered(call: SharedCall, reply: SharedReply): LimitResult {
    this.#options.shared!.breaker.success();
    this.#failing = false;
    const { lease, traffic, plan } = call;
    if (lease !== null) this.#metrics.leased(reply);
    const result =
      lease !== null && this.#leases !== undefined
        ? this.#leases.settle(lease, traffic, reply)
        : resultOf(plan, {
            allowed: reply.admitted,
            refusedBy: reply.refusedBy,
            reply,
            syncTokens: reply.buckets.map((bucket) => bucket.tokens),
            held: plan.buckets.map(() => 0),
            refilledMs: 0,
            quotaUsed: reply.quotaUsed,
            now: Date.now(),
          });
    return call.counted ? this.#count('redis', result) : result;
  }

  /** Redis failed or was too slow (`kind`): the local buckets answer. */
  failedOver(call: SharedCall, kind: 'timeout' | 'error', error?: unknown): LimitResult {
    this.#options.shared!.breaker.failure();
    this.#failing = true;
    this.#metrics.redisErrors[kind].inc();
    if (kind === 'error')
      this.#options.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'redis call failed');
    if (call.lease !== null) this.#leases?.forget(call.lease, call.traffic);
    if (!call.counted) return this.#options.local.admit(call.plan, call.cost);
    return this.fallback(call.plan, call.cost, call.lease);
  }

  /** The local buckets decide; a quota counter starts from what Redis last said, when known. */
  fallback(plan: LimitPlan, cost: number, lease: Lease | null): LimitResult {
    const local = this.#options.local;
    if (lease !== null && plan.quota !== null && this.#leases !== undefined)
      local.seedQuota(plan.quota.key, this.#leases.quotaSeen(lease), plan.quota.endsAt);
    return this.#count('fallback', local.admit(plan, cost));
  }

  #call(
    plan: LimitPlan,
    cost: number,
    lease: Lease | null,
    counted: boolean,
    traffic?: LeaseTraffic,
  ): Promise<LimitResult> {
    const shared = this.#options.shared!;
    const sent =
      traffic ?? (lease !== null && this.#leases !== undefined ? this.#leases.traffic(lease, cost) : NO_LEASES);
    this.#metrics.gaveBack(sent);
    const result = new Promise<LimitResult>((resolve) => {
      const call = new SharedCall(this, plan, cost, lease, sent, counted, resolve);
      this.#deadlines!.add(call);
      shared.store.decide(plan, cost, sent).then(call.answered, call.failed);
    });
    if (lease !== null && asksForLease(sent)) {
      const pending = result.then(() => {
        if (lease.pending === pending) lease.pending = null;
      });
      lease.pending = pending;
    }
    return result;
  }

  /** Unused tokens of a lease back to Redis, spending nothing; a failure loses them (never spent twice). */
  #giveBack(lease: Lease): Promise<LimitResult> {
    const traffic = this.#leases!.giveBack(lease);
    return this.#call(lease.plan, 0, null, false, traffic);
  }

  #giveBackDue(): void {
    const shared = this.#options.shared!;
    if (this.mode() !== 'redis' || !shared.store.ready) return;
    for (const lease of this.#leases!.due()) void this.#giveBack(lease);
  }

  /** One uncounted call on a plan no client can name: its outcome alone closes or re-opens the breaker. */
  async #probe(): Promise<void> {
    const shared = this.#options.shared!;
    if (this.mode() !== 'fallback' || !shared.store.ready || !shared.breaker.allow()) return;
    await this.#call(PROBE_PLAN, 0, null, false, NO_LEASES);
  }

  #count(store: DecisionStore, result: LimitResult): LimitResult {
    const counter = this.#metrics.decisions[store];
    (result.allowed ? counter.allowed : counter.limited).inc();
    if (result.shadowRefused.length > 0) this.#metrics.shadowRefusals.inc(result.shadowRefused.length);
    return result;
  }

  #every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.#timers.push(timer);
  }
}

function asksForLease(traffic: LeaseTraffic): boolean {
  return traffic.quotaWant > 0 || traffic.want.some((tokens) => tokens > 0);
}

function first(result: LimitResult): Decision {
  return result.buckets[0]!;
}

/** One call in flight at Redis: settled by the reply, an error or the shared deadline, whichever comes first. */
class SharedCall implements Expirable {
  settled = false;
  deadline = 0;
  readonly #limiter: TokenBucketLimiter;
  readonly plan: LimitPlan;
  readonly cost: number;
  readonly lease: Lease | null;
  readonly traffic: LeaseTraffic;
  /** False for probes and give-backs: not a request, so no decision metric counts them. */
  readonly counted: boolean;
  readonly #resolve: (result: LimitResult) => void;

  constructor(
    limiter: TokenBucketLimiter,
    plan: LimitPlan,
    cost: number,
    lease: Lease | null,
    traffic: LeaseTraffic,
    counted: boolean,
    resolve: (result: LimitResult) => void,
  ) {
    this.#limiter = limiter;
    this.plan = plan;
    this.cost = cost;
    this.lease = lease;
    this.traffic = traffic;
    this.counted = counted;
    this.#resolve = resolve;
  }

  readonly answered = (reply: SharedReply): void => {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(this.#limiter.answered(this, reply));
  };

  readonly failed = (error: unknown): void => {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(this.#limiter.failedOver(this, 'error', error));
  };

  expire(): void {
    this.settled = true;
    this.#resolve(this.#limiter.failedOver(this, 'timeout'));
  }
}
