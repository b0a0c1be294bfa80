import { SpanStatusCode } from '@opentelemetry/api';
import { startClientSpan, type Tracing } from '@routemcp/tracing';
import type { SharedStore } from './failover-limiter.ts';
import type { LimitPlan } from './limiter.ts';
import type { LeaseTraffic, SharedReply } from './shared-limits.ts';

/**
 * The shared buckets, when tracing is on: each Redis decision made for a
 * request is a CLIENT span under it. A decision a lease answered never
 * gets here, so a lease hit has no span.
 */
export class TracedSharedStore implements SharedStore {
  readonly #store: SharedStore;
  readonly #tracing: Tracing;

  constructor(store: SharedStore, tracing: Tracing) {
    this.#store = store;
    this.#tracing = tracing;
  }

  get ready(): boolean {
    return this.#store.ready;
  }

  decide(plan: LimitPlan, cost: number, leases?: LeaseTraffic): Promise<SharedReply> {
    const active = startClientSpan(this.#tracing, 'EVALSHA', {
      'db.system.name': 'redis',
      'db.operation.name': 'EVALSHA',
      'routemcp.rate_limit.buckets': plan.buckets.length,
    });
    const decided = this.#store.decide(plan, cost, leases);
    // No span, or the no-op one of an unsampled request: nothing to end, so no wrapper around the reply.
    if (active === undefined || !active.span.isRecording()) return decided;
    const span = active.span;
    return decided.then(
      (reply) => {
        span.setAttribute('routemcp.rate_limit.admitted', reply.admitted);
        span.end();
        return reply;
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw error;
      },
    );
  }
}
