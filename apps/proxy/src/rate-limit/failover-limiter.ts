import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { DeadlineQueue, type CircuitBreaker } from '../resilience/index.ts';
import { FallbackBuckets } from './fallback-buckets.ts';
import { firstDecision } from './headline.ts';
import { singleBucketPlan } from './key-plan.ts';
import type { LeaseBook } from './lease-book.ts';
import type { Lease } from './lease.ts';
import type { Decision, Limiter, LimiterMode, LimitPlan, LimitResult, RateLimit } from './limiter.ts';
import type { MemoryTokenBucket } from './memory-token-bucket.ts';
import { RateLimitMetrics, type DecisionStore } from './rate-limit-metrics.ts';
import type { RoundTripDeadline } from '../resilience/index.ts';
import { resultOf } from './result-view.ts';
import { SharedCall, type CallOutcomes } from './shared-call.ts';
import { NO_LEASES, type LeaseTraffic, type SharedReply } from './shared-limits.ts';

/** The shared store as the limiter sees it (SharedLimits over Redis): may be slow, may reject. */
export interface SharedStore {
  decide(plan: LimitPlan, cost: number, leases?: LeaseTraffic): Promise<SharedReply>;
  /** Connected and usable right now. */
  readonly ready: boolean;
}

export interface FailoverLimiterOptions {
  local: MemoryTokenBucket;
  /** Absent: no Redis configured, the local buckets are the limiter (mode 'memory'). */
  shared?: {
    store: SharedStore;
    breaker: CircuitBreaker;
    /** How long a call waits for Redis (it follows Redis's round trips). */
    deadline: RoundTripDeadline;
    close(): Promise<void>;
  };
  /** Token leases on the shared buckets; absent: every request asks Redis (RATE_LIMIT_LEASES=off). */
  leases?: LeaseBook;
  /** Where its metrics are registered. */
  registry: Registry;
  logger: Logger;
  clock: Clock;
  /** Monotonic ms for round trips and deadlines (performance.now unless a test moves it). */
  monotonicNow?: () => number;
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
 * Coordinates the shared store, its local fallback and token leases. With
 * Redis, a request is decided by one script call that waits the Redis
 * deadline (RoundTripDeadline: Redis's round trips, between REDIS_TIMEOUT_MS
 * and REDIS_TIMEOUT_MAX_MS); when it is missed or the call fails, the local
 * decision made when the call was sent answers (FallbackBuckets: the local
 * buckets follow the level Redis reports, so on one proxy that is Redis's
 * own answer, and a late reply is reconciled, never counted twice). Never
 * a 500. After consecutive failures a breaker skips Redis and lets one probe
 * through per cool-down; the first success puts Redis back in charge. With
 * leases (LeaseBook) a hot key's requests are spent from tokens already
 * debited in Redis, without a call, and held tokens are spent before the
 * fallback while Redis is away.
 *
 * Decided locally (memory, a lease, the breaker open), it answers synchronously.
 */
export class FailoverLimiter implements Limiter {
  readonly #options: FailoverLimiterOptions;
  readonly #metrics: RateLimitMetrics;
  readonly #deadlines: DeadlineQueue | undefined;
  readonly #leases: LeaseBook | undefined;
  readonly #fallback: FallbackBuckets;
  #failing = false;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: FailoverLimiterOptions) {
    this.#options = options;
    const deadline = options.shared?.deadline;
    this.#metrics = new RateLimitMetrics(
      options.registry,
      () => this.mode(),
      () => deadline?.timeoutMs ?? null,
    );
    this.#leases = options.shared === undefined ? undefined : options.leases;
    this.#fallback = new FallbackBuckets(options.local);
    if (deadline !== undefined) {
      this.#deadlines = new DeadlineQueue({
        timeoutMs: () => deadline.timeoutMs,
        ...(options.monotonicNow === undefined ? {} : { now: options.monotonicNow }),
      });
      this.#every(options.probeIntervalMs ?? 1_000, () => void this.#probe());
      if (this.#leases !== undefined) this.#every(250, () => this.#giveBackDue());
    }
  }

  take(bucketId: string, limit: RateLimit, cost = 1): Decision | Promise<Decision> {
    const result = this.admit(singleBucketPlan(bucketId, limit), cost);
    return result instanceof Promise ? result.then(firstDecision) : firstDecision(result);
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
      return this.#fallbackWithoutCall(plan, cost, lease);
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
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise((resolve) => (timer = setTimeout(resolve, GIVE_BACK_MS)));
      await Promise.race([Promise.allSettled(backs), waited]);
      clearTimeout(timer);
    }
    this.#deadlines?.clear();
    await shared?.close();
    await this.#options.local.close();
  }

  readonly #outcomes: CallOutcomes = {
    // Redis answered in time: its answer stands.
    answered: (call, reply) => {
      this.#options.shared!.breaker.success();
      this.#failing = false;
      this.#heard(call, reply);
      const { lease, traffic, plan, counted } = call.request;
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
              now: this.#options.clock.now(),
            });
      return counted ? this.#count('redis', result) : result;
    },
    // Redis failed or was too slow: the local decision made when the call was sent answers.
    failed: (call, kind, error) => {
      this.#options.shared!.breaker.failure();
      this.#failing = true;
      this.#metrics.redisErrors[kind].inc();
      const { lease, traffic, counted, reservation } = call.request;
      if (kind === 'error') {
        this.#options.logger.debug(
          { err: error instanceof Error ? error.message : String(error) },
          'redis call failed',
        );
        // Redis may not have run it: an admission Redis did not count.
        if (counted && reservation.result.allowed) this.#metrics.fallbackAdmitted.inc();
      }
      if (lease !== null) this.#leases?.forget(lease, traffic);
      return counted ? this.#count('fallback', reservation.result) : reservation.result;
    },
    // The fallback already answered; Redis's verdict on the same request comes now.
    late: (call, outcome) => {
      const { counted, reservation } = call.request;
      const admittedHere = counted && reservation.result.allowed;
      if ('reply' in outcome) {
        this.#metrics.lateReplies.inc();
        this.#heard(call, outcome.reply);
        // Tokens a late reply leased are debited in Redis but were given up here: lost, never spent twice.
        if (admittedHere && !outcome.reply.admitted) this.#metrics.fallbackAdmitted.inc();
      } else if (admittedHere) this.#metrics.fallbackAdmitted.inc();
    },
  };

  /** A reply arrived (in time or late): a round-trip sample, and the local buckets follow Redis's level. */
  #heard(call: SharedCall, reply: SharedReply): void {
    const { plan, reservation, sentAt } = call.request;
    this.#options.shared!.deadline.observe(this.#deadlines!.now() - sentAt);
    this.#fallback.sync(plan, reservation.marks, reply);
  }

  /** No call (the breaker is open): the local buckets decide; a quota starts from what Redis last said. */
  #fallbackWithoutCall(plan: LimitPlan, cost: number, lease: Lease | null): LimitResult {
    if (lease !== null && plan.quota !== null && this.#leases !== undefined)
      this.#options.local.seedQuota(plan.quota.key, this.#leases.quotaSeen(lease), plan.quota.endsAt);
    const { result } = this.#fallback.reserve(plan, cost);
    if (result.allowed) this.#metrics.fallbackAdmitted.inc();
    return this.#count('fallback', result);
  }

  #call(
    plan: LimitPlan,
    cost: number,
    lease: Lease | null,
    counted: boolean,
    traffic?: LeaseTraffic,
  ): Promise<LimitResult> {
    const shared = this.#options.shared!;
    const deadlines = this.#deadlines!;
    const sent =
      traffic ?? (lease !== null && this.#leases !== undefined ? this.#leases.traffic(lease, cost) : NO_LEASES);
    this.#metrics.gaveBack(sent);
    // Reserved before the call is queued: local order is the order Redis sees.
    const reservation = this.#fallback.reserve(plan, cost);
    const result = new Promise<LimitResult>((resolve) => {
      const request = { plan, cost, lease, traffic: sent, counted, reservation, sentAt: deadlines.now() };
      const call = new SharedCall(request, this.#outcomes, resolve);
      deadlines.add(call);
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
