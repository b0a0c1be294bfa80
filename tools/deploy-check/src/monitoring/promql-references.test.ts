import { describe, expect, it } from 'vitest';
import { promqlReferences, withGrafanaMacros } from './promql-references.ts';

describe('promqlReferences', () => {
  it('finds metrics, matchers and groupings through functions, aggregations and binary operators', () => {
    const refs = promqlReferences(
      'histogram_quantile(0.99, sum by (le, job) (rate(a_bucket{job=~"$job",outcome!="ok"}[5m]))) / on (job) group_left max(b) > 0.1',
    );
    expect(refs.selectors).toEqual([
      {
        metric: 'a_bucket',
        matchers: [
          { label: 'job', op: '=~', value: '$job' },
          { label: 'outcome', op: '!=', value: 'ok' },
        ],
      },
      { metric: 'b', matchers: [] },
    ]);
    expect(refs.groupings).toEqual([{ labels: ['le', 'job'], selectors: [refs.selectors[0]] }]);
  });

  it('reads a metric named by __name__ and ignores groupings other than by', () => {
    const refs = promqlReferences('sum without (instance) ({__name__="c_total", result="error"}) or vector(0)');
    expect(refs.selectors).toEqual([{ metric: 'c_total', matchers: [{ label: 'result', op: '=', value: 'error' }] }]);
    expect(refs.groupings).toEqual([]);
  });

  it('refuses an expression that does not parse', () => {
    expect(() => promqlReferences('sum(rate(x[5m])')).toThrow(/PromQL syntax error/);
    expect(() => promqlReferences('rate(x[$__rate_interval])')).toThrow(/PromQL syntax error/);
  });

  it("replaces Grafana's interval macros so the expression parses as Prometheus receives it", () => {
    expect(withGrafanaMacros('rate(x[$__rate_interval]) + rate(y[$__interval])')).toBe('rate(x[5m]) + rate(y[5m])');
    expect(promqlReferences(withGrafanaMacros('rate(x[$__rate_interval])')).selectors).toEqual([
      { metric: 'x', matchers: [] },
    ]);
  });
});
