import type { Expirable } from '../resilience/index.ts';
import type { Reservation } from './fallback-buckets.ts';
import type { Lease } from './lease.ts';
import type { LimitPlan, LimitResult } from './limiter.ts';
import type { LeaseTraffic, SharedReply } from './shared-limits.ts';

/** What a call to the store was made with. */
export interface CallRequest {
  readonly plan: LimitPlan;
  readonly cost: number;
  readonly lease: Lease | null;
  readonly traffic: LeaseTraffic;
  /** False for probes and give-backs: not a request, so no decision metric counts them. */
  readonly counted: boolean;
  /** The local decision made when it was sent: the answer if the store is too slow. */
  readonly reservation: Reservation;
  /** On the deadline queue's monotonic clock. */
  readonly sentAt: number;
}

/** How the limiter settles a call; `late` runs when the reply or error comes after the deadline answered. */
export interface CallOutcomes {
  answered(call: SharedCall, reply: SharedReply): LimitResult;
  failed(call: SharedCall, kind: 'timeout' | 'error', error?: unknown): LimitResult;
  late(call: SharedCall, outcome: { reply: SharedReply } | { error: unknown }): void;
}

/** One call in flight at Redis: settled by the reply, an error or its deadline, whichever comes first. */
export class SharedCall implements Expirable {
  settled = false;
  deadline = 0;
  readonly request: CallRequest;
  readonly #outcomes: CallOutcomes;
  readonly #resolve: (result: LimitResult) => void;

  constructor(request: CallRequest, outcomes: CallOutcomes, resolve: (result: LimitResult) => void) {
    this.request = request;
    this.#outcomes = outcomes;
    this.#resolve = resolve;
  }

  readonly answered = (reply: SharedReply): void => {
    if (this.settled) return this.#outcomes.late(this, { reply });
    this.settled = true;
    this.#resolve(this.#outcomes.answered(this, reply));
  };

  readonly failed = (error: unknown): void => {
    if (this.settled) return this.#outcomes.late(this, { error });
    this.settled = true;
    this.#resolve(this.#outcomes.failed(this, 'error', error));
  };

  expire(): void {
    this.settled = true;
    this.#resolve(this.#outcomes.failed(this, 'timeout'));
  }
}
