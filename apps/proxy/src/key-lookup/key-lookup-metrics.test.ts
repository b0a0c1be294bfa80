import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { KeyLookupMetrics } from './key-lookup-metrics.ts';

describe('KeyLookupMetrics', () => {
  it('has every series with a known label from the start, at 0 (a panel is not empty, increase() sees the first)', async () => {
    const registry = new Registry();
    new KeyLookupMetrics(registry);
    const text = await registry.metrics();
    for (const result of ['found', 'not_found', 'error', 'circuit_open'])
      expect(text).toContain(`routemcp_proxy_keystore_requests_total{result="${result}"} 0`);
    for (const type of ['hello', 'reset', 'malformed', 'created', 'revoked', 'rolled', 'updated', 'expired'])
      expect(text).toContain(`routemcp_proxy_key_events_total{type="${type}"} 0`);
  });
});
