import { describe, expect, it } from 'vitest';
import { metricValue } from './prometheus-text.ts';

const TEXT = `# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.
# TYPE nodejs_eventloop_lag_seconds gauge
nodejs_eventloop_lag_seconds 0.0021
nodejs_eventloop_lag_p99_seconds 0.0123
routemcp_proxy_requests_total{outcome="ok"} 1200
routemcp_proxy_requests_total{outcome="INVALID_API_KEY"} 12
`;

describe('metricValue', () => {
  it('reads an unlabelled gauge without confusing it with a longer name', () => {
    expect(metricValue(TEXT, 'nodejs_eventloop_lag_seconds')).toBe(0.0021);
  });

  it('reads a labelled sample', () => {
    expect(metricValue(TEXT, 'routemcp_proxy_requests_total', 'outcome="INVALID_API_KEY"')).toBe(12);
  });

  it('answers null for a missing series', () => {
    expect(metricValue(TEXT, 'nope')).toBeNull();
  });
});
