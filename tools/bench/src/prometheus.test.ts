import { describe, expect, it } from 'vitest';
import { sumMetric } from './prometheus.ts';

const exposition = `# HELP routemcp_proxy_keystore_requests_total Keystore lookups.
# TYPE routemcp_proxy_keystore_requests_total counter
routemcp_proxy_keystore_requests_total{outcome="found"} 3
routemcp_proxy_keystore_requests_total{outcome="not_found",note="a}b"} 2
routemcp_proxy_keystore_requests_total_created 1700000000
routemcp_proxy_requests_total 99 1700000000000
`;

describe('sumMetric', () => {
  it('adds every label set of the metric and nothing with a longer name', () => {
    expect(sumMetric(exposition, 'routemcp_proxy_keystore_requests_total')).toBe(5);
  });

  it('reads unlabelled samples with a timestamp', () => {
    expect(sumMetric(exposition, 'routemcp_proxy_requests_total')).toBe(99);
  });

  it('is 0 for a declared metric with no samples yet (a labelled counter before its first increment)', () => {
    const declared =
      '# HELP routemcp_proxy_keystore_requests_total Keystore lookups.\n# TYPE routemcp_proxy_keystore_requests_total counter\n';
    expect(sumMetric(declared, 'routemcp_proxy_keystore_requests_total')).toBe(0);
  });

  it('is NaN when the metric is not exported', () => {
    expect(sumMetric(exposition, 'routemcp_missing_total')).toBeNaN();
  });
});
