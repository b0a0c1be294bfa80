import { describe, expect, it } from 'vitest';
import { loadDashboard } from './monitoring-files.ts';
import { promqlReferences, withGrafanaMacros } from './promql-references.ts';

const dashboard = loadDashboard();
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const targets = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

describe('the Grafana dashboard (deploy/monitoring/grafana/routemcp-gateway.json)', () => {
  it('has unique panel ids and no panel overlapping another', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++)
        for (let col = x; col < x + w; col++) {
          const other = cells.get(`${row},${col}`);
          expect(other, `${panel.title} overlaps ${other}`).toBeUndefined();
          cells.set(`${row},${col}`, panel.title);
        }
    }
  });

  it('gives every panel a title, a description and at least one query', () => {
    for (const panel of panels) {
      expect(panel.title).toBeTruthy();
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('queries the chosen data source, job and proxies (or keystore replicas) in every panel', () => {
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual([
      'datasource',
      'job',
      'instance',
      'keystore',
    ]);
    for (const { panel, target } of targets) {
      expect(target.datasource?.uid, panel.title).toBe('${datasource}');
      for (const selector of promqlReferences(withGrafanaMacros(target.expr)).selectors) {
        const narrowedBy = selector.metric.startsWith('routemcp_keystore_')
          ? [{ label: 'instance', op: '=~', value: '$keystore' }]
          : [
              { label: 'job', op: '=~', value: '$job' },
              { label: 'instance', op: '=~', value: '$instance' },
            ];
        expect(selector.matchers, `${panel.title}: ${selector.metric}`).toEqual(expect.arrayContaining(narrowedBy));
      }
    }
  });

  it('has only expressions that parse, with rates over $__rate_interval', () => {
    for (const { panel, target } of targets) {
      expect(() => promqlReferences(withGrafanaMacros(target.expr)), panel.title).not.toThrow();
      for (const range of target.expr.matchAll(/\[([^\]]+)\]/g)) expect(range[1], panel.title).toBe('$__rate_interval');
    }
  });

  it('covers what an operator looks at (issue 16): outcomes, latency, cache, keystore, limiter, event stream', () => {
    const used = new Set(
      targets.flatMap(({ target }) =>
        promqlReferences(withGrafanaMacros(target.expr)).selectors.map((selector) => selector.metric),
      ),
    );
    for (const metric of [
      'routemcp_proxy_requests_total',
      'routemcp_proxy_request_duration_seconds_bucket',
      'routemcp_proxy_cache_lookups_total',
      'routemcp_proxy_keystore_requests_total',
      'routemcp_proxy_keystore_duration_seconds_bucket',
      'routemcp_proxy_ratelimit_decisions_total',
      'routemcp_proxy_ratelimit_degraded',
      'routemcp_proxy_event_stream_connected',
      'routemcp_proxy_worker_restarts_total',
    ])
      expect(used).toContain(metric);
  });

  it('shows the keystore and its replicas, the policies, shadow limits and token leases (issues 13, 14, 15)', () => {
    const exprs = targets.map(({ target }) => target.expr).join('\n');
    for (const metric of [
      'routemcp_proxy_keystore_replica_requests_total',
      'routemcp_proxy_keystore_replica_circuit_open',
      'routemcp_proxy_ratelimit_shadow_refusals_total',
      'routemcp_proxy_ratelimit_lease_tokens_total',
      'routemcp_keystore_http_requests_total',
      'routemcp_keystore_http_request_duration_seconds_bucket',
      'routemcp_keystore_database_up',
      'routemcp_keystore_event_streams',
    ])
      expect(exprs).toContain(metric);
    for (const outcome of ['FORBIDDEN_IP', 'FORBIDDEN_PERMISSION', 'QUOTA_EXCEEDED']) expect(exprs).toContain(outcome);
    expect(exprs).toContain('store=~"lease|redis"');
  });
});
