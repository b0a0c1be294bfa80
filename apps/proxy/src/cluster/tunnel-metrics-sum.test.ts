import { AggregatorRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TunnelMetrics } from '../tunnels/index.ts';
import { RetiredMetrics, type MetricJson } from './retired-metrics.ts';

/** One worker's scrape, as the primary gets it over IPC. */
async function workerScrape(open: number, closed: Record<string, number>): Promise<MetricJson[]> {
  const registry = new Registry();
  const metrics = new TunnelMetrics({ registry, open: () => open });
  for (const [reason, count] of Object.entries(closed))
    for (let i = 0; i < count; i++) metrics.closed(reason as 'revoked');
  return JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as MetricJson[];
}

describe('TunnelMetrics in cluster mode', () => {
  it("the primary's sum adds the workers' open tunnels and closes, and drops a dead worker's open ones", async () => {
    const first = await workerScrape(2, { revoked: 1 });
    const second = await workerScrape(3, { idle: 2 });
    const dead = await workerScrape(5, { policy: 1 });
    const retired = new RetiredMetrics();
    retired.retire(dead);
    const text = await AggregatorRegistry.aggregate([first, second, retired.snapshot()]).metrics();
    expect(text).toContain('routemcp_proxy_websocket_tunnels_open 5\n');
    expect(text).toContain('routemcp_proxy_websocket_tunnels_closed_total{reason="revoked"} 1\n');
    expect(text).toContain('routemcp_proxy_websocket_tunnels_closed_total{reason="idle"} 2\n');
    // The dead worker's tunnels died with it; what it closed stays counted.
    expect(text).toContain('routemcp_proxy_websocket_tunnels_closed_total{reason="policy"} 1\n');
    expect(text).toContain('routemcp_proxy_websocket_tunnels_closed_total{reason="lifetime"} 0\n');
  });
});
