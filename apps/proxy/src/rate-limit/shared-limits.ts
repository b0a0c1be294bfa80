import type { Clock } from '../clock.ts';
import type { LimitPlan } from './limiter.ts';
import type { BucketClient } from './redis-client.ts';

/** What this proxy sends with a decision: leases it would like, and unused tokens it gives back. */
export interface LeaseTraffic {
  /** Per bucket, tokens wanted beyond `cost` (0: none, the cold path). */
  want: readonly number[];
  /** Per bucket, unused tokens of an earlier lease given back first. */
  back: readonly number[];
  quotaWant: number;
  quotaBack: number;
}

/** One bucket as the store left it. */
export interface SharedBucketState {
  granted: number;
  /** Whole tokens left in the store, after this request and any lease. */
  tokens: number;
  msToFull: number;
  msToRetry: number;
  shadowRefused: boolean;
}

export interface SharedReply {
  admitted: boolean;
  refusedBy: 'bucket' | 'quota' | null;
  /** The quota counter after this call (leased units included). */
  quotaUsed: number;
  quotaGranted: number;
  buckets: SharedBucketState[];
}

const NO_LEASES: LeaseTraffic = Object.freeze({ want: [], back: [], quotaWant: 0, quotaBack: 0 });
export { NO_LEASES };

/**
 * A plan decided in Redis in one script call (take-script.ts): every
 * bucket and the quota at once, atomically, leases included. It has no
 * timeout or fallback of its own (FailoverLimiter adds them); its promise
 * rejects when Redis errors.
 */
export class SharedLimits {
  readonly #client: BucketClient;
  /** This process, as the script's lessee (a bucket called by two lessees is contended). */
  readonly #lessee: string;
  readonly #clock: Clock;

  constructor(client: BucketClient, lessee: string, clock: Clock) {
    this.#client = client;
    this.#lessee = lessee;
    this.#clock = clock;
  }

  get ready(): boolean {
    return this.#client.isReady;
  }

  decide(plan: LimitPlan, cost: number, leases: LeaseTraffic = NO_LEASES): Promise<SharedReply> {
    const keys: string[] = [];
    const args: string[] = [String(plan.buckets.length), String(cost), plan.quota === null ? '0' : '1', this.#lessee];
    for (let i = 0; i < plan.buckets.length; i++) {
      const bucket = plan.buckets[i]!;
      keys.push(bucket.key);
      args.push(
        String(bucket.limit.capacity),
        String(bucket.limit.refillPerSecond),
        bucket.shadow ? '1' : '0',
        String(leases.want[i] ?? 0),
        String(leases.back[i] ?? 0),
      );
    }
    const quota = plan.quota;
    if (quota !== null) {
      keys.push(quota.key);
      const ttl = Number.isFinite(quota.endsAt) ? Math.max(1, Math.ceil(quota.endsAt - this.#clock.now())) : 0;
      args.push(
        String(quota.limit),
        String(ttl),
        String(quota.seed),
        String(leases.quotaWant),
        String(leases.quotaBack),
      );
    }
    return this.#client.takeTokens({ keys, args }).then(parseReply);
  }
}

function parseReply(reply: number[]): SharedReply {
  const buckets: SharedBucketState[] = [];
  for (let o = 4; o + 4 < reply.length; o += 5) {
    buckets.push({
      granted: reply[o]!,
      tokens: reply[o + 1]!,
      msToFull: reply[o + 2]!,
      msToRetry: reply[o + 3]!,
      shadowRefused: reply[o + 4] === 1,
    });
  }
  return {
    admitted: reply[0] === 1,
    refusedBy: reply[1] === 1 ? 'bucket' : reply[1] === 2 ? 'quota' : null,
    quotaUsed: reply[2]!,
    quotaGranted: reply[3]!,
    buckets,
  };
}
