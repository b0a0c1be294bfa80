import { Counter, Gauge, type Registry } from 'prom-client';

/** Why the proxy closed a tunnel itself (a client or upstream that ends one is not counted here). */
export const TUNNEL_CLOSE_REASONS = ['revoked', 'expired', 'policy', 'idle', 'lifetime', 'shutdown'] as const;
export type TunnelCloseReason = (typeof TUNNEL_CLOSE_REASONS)[number];

/**
 * Open tunnels and the ones the proxy closed. No key, hash or id in a label.
 * In cluster mode the primary sums the workers' gauges (prom-client's
 * default aggregator) and drops a dead worker's, whose tunnels died with it.
 */
export class TunnelMetrics {
  readonly #closed: Record<TunnelCloseReason, Counter.Internal>;

  constructor(options: { registry: Registry; open: () => number }) {
    const { registry, open } = options;
    new Gauge({
      name: 'routemcp_proxy_websocket_tunnels_open',
      help: 'WebSocket tunnels open through this proxy.',
      registers: [registry],
      collect() {
        this.set(open());
      },
    });
    const closed = new Counter({
      name: 'routemcp_proxy_websocket_tunnels_closed_total',
      help: 'WebSocket tunnels the proxy closed itself, by reason (revoked, expired, policy, idle, lifetime, shutdown).',
      labelNames: ['reason'],
      registers: [registry],
    });
    // Every reason from the start, so a rate() or an alert has a series before the first close.
    this.#closed = Object.fromEntries(
      TUNNEL_CLOSE_REASONS.map((reason) => {
        const child = closed.labels(reason);
        child.inc(0);
        return [reason, child];
      }),
    ) as Record<TunnelCloseReason, Counter.Internal>;
  }

  closed(reason: TunnelCloseReason): void {
    this.#closed[reason].inc();
  }
}
