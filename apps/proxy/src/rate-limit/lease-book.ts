import type { Clock } from '../clock.ts';
import { Lease, MAX_SHARE } from './lease.ts';
import type { LimitPlan, LimitResult } from './limiter.ts';
import { resultOf } from './result-view.ts';
import type { LeaseTraffic, SharedReply } from './shared-limits.ts';
import { CONTENTION_MS } from './take-script.ts';

export interface LeaseBookOptions {
  clock: Clock;
  /** A lease is sized to cover this much of the key's observed local traffic. */
  windowMs?: number;
  /** Unused tokens go back this long after the lease was granted. */
  ttlMs?: number;
  /** Plans with a lease tracked at once (the least recently used is given back first). */
  maxPlans?: number;
}

/**
 * Token leases (issue 14): a proxy takes tokens from the shared bucket in
 * the same atomic script that decides a request — debited in Redis at once,
 * so the bucket never admits more than its capacity plus refill — and
 * spends them locally, with no Redis call, until they run out or the lease
 * expires; unused tokens go back (on the next call, on expiry, on close).
 *
 * Sizing: a cold key wants nothing beyond the request itself (exactly the
 * behaviour without leases); a hot key wants what its observed local rate
 * needs for `windowMs`, at most MAX_SHARE of the bucket, minus what it
 * holds and what calls in flight already ask for. The script grants it
 * only while no other proxy used the bucket in the last CONTENTION_MS, and
 * never more than an eighth of what is left: under contention every proxy
 * takes exactly what it spends.
 */
export class LeaseBook {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #ttlMs: number;
  readonly #maxPlans: number;
  readonly #leases = new Map<string, Lease>();

  constructor(options: LeaseBookOptions) {
    this.#clock = options.clock;
    this.#windowMs = options.windowMs ?? 250;
    this.#ttlMs = options.ttlMs ?? 1_000;
    this.#maxPlans = options.maxPlans ?? 10_000;
  }

  get size(): number {
    return this.#leases.size;
  }

  /** This plan's lease (made on first use), with this request counted in its rate. */
  leaseFor(plan: LimitPlan): { lease: Lease; evicted: Lease | null } {
    let lease = this.#leases.get(plan.id);
    let evicted: Lease | null = null;
    if (lease !== undefined && !samePlan(lease.plan, plan)) {
      // The key's limits changed (an `updated` event): what is held belongs to the old buckets.
      evicted = lease;
      lease = undefined;
    }
    if (lease === undefined) {
      lease = new Lease(plan);
      this.#leases.set(plan.id, lease);
      if (this.#leases.size > this.#maxPlans) {
        const oldest = this.#leases.keys().next().value as string;
        evicted ??= this.#leases.get(oldest) ?? null;
        this.#leases.delete(oldest);
      }
    } else {
      // Map order is insertion order: re-inserting keeps the least recently used first.
      this.#leases.delete(plan.id);
      this.#leases.set(plan.id, lease);
    }
    lease.observe(this.#clock.now());
    return { lease, evicted };
  }

  /** Spends `cost` from what the lease holds, if it covers every bucket and the quota; null otherwise. */
  spend(lease: Lease, cost: number): LimitResult | null {
    const now = this.#clock.now();
    if (now >= lease.expiresAt) return null;
    const plan = lease.plan;
    for (let i = 0; i < plan.buckets.length; i++) if (lease.held[i]! < cost) return null;
    if (plan.quota !== null && lease.quotaHeld < cost) return null;
    for (let i = 0; i < plan.buckets.length; i++) lease.held[i]! -= cost;
    if (plan.quota !== null) lease.quotaHeld -= cost;
    return this.#result(lease, true, null, now, null);
  }

  /**
   * The traffic of the next store call: everything held goes back (the
   * script puts it in first), and the lease wanted now. What goes back is
   * gone from here whatever the call's fate: a give-back that timed out may
   * have landed, so it is never spent again (at worst it is lost, and the
   * bucket refills as usual).
   */
  traffic(lease: Lease, cost: number): LeaseTraffic {
    const plan = lease.plan;
    const now = this.#clock.now();
    const window = now < lease.noLeaseUntil ? 0 : Math.ceil(lease.rateAt(now) * this.#windowMs);
    const want: number[] = [];
    const back = lease.held.slice();
    for (let i = 0; i < plan.buckets.length; i++) {
      const cap = Math.floor(plan.buckets[i]!.limit.capacity * MAX_SHARE);
      const wanted = window <= cost ? 0 : Math.max(0, Math.min(cap, window) - cost - lease.inflight[i]!);
      want.push(wanted);
      lease.inflight[i]! += wanted;
      lease.held[i] = 0;
    }
    let quotaWant = 0;
    const quotaBack = lease.quotaHeld;
    if (plan.quota !== null) {
      const cap = Math.floor(plan.quota.limit * MAX_SHARE);
      quotaWant = window <= cost ? 0 : Math.max(0, Math.min(cap, window) - cost - lease.quotaInflight);
      lease.quotaInflight += quotaWant;
    }
    lease.quotaHeld = 0;
    return { want, back, quotaWant, quotaBack };
  }

  /** The store answered: take what it granted, remember where it stood, and build the request's result. */
  settle(lease: Lease, traffic: LeaseTraffic, reply: SharedReply): LimitResult {
    const now = this.#clock.now();
    this.#release(lease, traffic);
    const plan = lease.plan;
    let granted = false;
    let wanted = traffic.quotaWant > 0;
    for (let i = 0; i < plan.buckets.length; i++) {
      const state = reply.buckets[i]!;
      lease.held[i]! += state.granted;
      lease.syncTokens[i] = state.tokens;
      if (state.granted > 0) granted = true;
      if ((traffic.want[i] ?? 0) > 0) wanted = true;
    }
    // Asked and got nothing: another proxy uses this bucket, or it is nearly empty. Stop asking for a while.
    if (wanted && !granted && reply.quotaGranted === 0 && reply.admitted) lease.noLeaseUntil = now + CONTENTION_MS;
    lease.quotaHeld += reply.quotaGranted;
    lease.quotaUsed = reply.quotaUsed;
    lease.syncAt = now;
    if (granted || reply.quotaGranted > 0) lease.expiresAt = now + this.#ttlMs;
    return this.#result(lease, reply.admitted, reply.refusedBy, now, reply);
  }

  /** The call failed or timed out: its wants are void; what it gave back is gone (see `traffic`). */
  forget(lease: Lease, traffic: LeaseTraffic): void {
    this.#release(lease, traffic);
  }

  /** Leases past their TTL that still hold tokens: their give-back traffic (held becomes 0). */
  due(): Lease[] {
    const now = this.#clock.now();
    const out: Lease[] = [];
    for (const lease of this.#leases.values()) if (now >= lease.expiresAt && lease.holds) out.push(lease);
    return out;
  }

  /** Every lease that still holds tokens (shutdown). */
  holding(): Lease[] {
    return [...this.#leases.values()].filter((lease) => lease.holds);
  }

  /** The give-back-only traffic of a lease (nothing wanted). */
  giveBack(lease: Lease): LeaseTraffic {
    const traffic = {
      want: lease.held.map(() => 0),
      back: lease.held.slice(),
      quotaWant: 0,
      quotaBack: lease.quotaHeld,
    };
    lease.held.fill(0);
    lease.quotaHeld = 0;
    return traffic;
  }

  /** The quota count the fallback should start from: what the store said, minus what this proxy still holds. */
  quotaSeen(lease: Lease): number {
    return Math.max(0, lease.quotaUsed - lease.quotaHeld);
  }

  #release(lease: Lease, traffic: LeaseTraffic): void {
    for (let i = 0; i < lease.inflight.length; i++)
      lease.inflight[i] = Math.max(0, lease.inflight[i]! - (traffic.want[i] ?? 0));
    lease.quotaInflight = Math.max(0, lease.quotaInflight - traffic.quotaWant);
  }

  #result(
    lease: Lease,
    allowed: boolean,
    refusedBy: LimitResult['refusedBy'],
    now: number,
    reply: SharedReply | null,
  ): LimitResult {
    const refilledMs = reply === null ? now - lease.syncAt : 0;
    return resultOf(lease.plan, {
      allowed,
      refusedBy,
      reply,
      syncTokens: lease.syncTokens,
      held: lease.held,
      refilledMs,
      quotaUsed: this.quotaSeen(lease),
      now,
    });
  }
}

function samePlan(a: LimitPlan, b: LimitPlan): boolean {
  if (a === b) return true;
  if (a.buckets.length !== b.buckets.length || (a.quota?.key ?? null) !== (b.quota?.key ?? null)) return false;
  for (let i = 0; i < a.buckets.length; i++) {
    const x = a.buckets[i]!;
    const y = b.buckets[i]!;
    if (
      x.key !== y.key ||
      x.limit.capacity !== y.limit.capacity ||
      x.limit.refillPerSecond !== y.limit.refillPerSecond ||
      x.shadow !== y.shadow
    )
      return false;
  }
  return (a.quota?.limit ?? 0) === (b.quota?.limit ?? 0);
}
