import { describe, expect, it } from 'vitest';
import { missingReferences, parseExposition } from './exported-metrics.ts';
import { promqlReferences } from './promql-references.ts';

const scrape = [
  '# HELP requests_total Requests.',
  '# TYPE requests_total counter',
  'requests_total{outcome="ok"} 5',
  'requests_total{outcome="RATE_LIMITED"} 1',
  '# TYPE latency_seconds histogram',
  'latency_seconds_bucket{le="0.1"} 3',
  'latency_seconds_bucket{le="+Inf"} 4',
  'latency_seconds_sum 0.2',
  'latency_seconds_count 4',
  'up_gauge 1',
].join('\n');
const exported = parseExposition(scrape);
const missing = (expr: string) => missingReferences(promqlReferences(expr), exported);

describe('missingReferences', () => {
  it('accepts what the scrape has, histogram series by their suffixed names, job and instance as target labels', () => {
    expect(
      missing(
        'histogram_quantile(0.99, sum by (le) (rate(latency_seconds_bucket{job=~"$job",instance=~"$instance"}[5m])))',
      ),
    ).toEqual([]);
    expect(missing('sum by (outcome, job) (rate(requests_total{outcome=~"ok|RATE_LIMITED"}[5m])) / up_gauge')).toEqual(
      [],
    );
    expect(missing('rate(latency_seconds_sum[5m]) / rate(latency_seconds_count[5m])')).toEqual([]);
  });

  it('names a metric with no sample, including a histogram asked for by its family name', () => {
    expect(missing('rate(requests_totl[5m])')).toEqual(['metric requests_totl']);
    expect(missing('rate(latency_seconds[5m])')).toEqual(['metric latency_seconds']);
  });

  it('names a label the metric never carries and a value it never takes', () => {
    expect(missing('requests_total{result="ok"}')).toEqual(['label result on requests_total']);
    expect(missing('requests_total{outcome="AUTH_UNAVAILABLE"}')).toEqual([
      'requests_total{outcome="AUTH_UNAVAILABLE"}',
    ]);
    expect(missing('requests_total{outcome=~"ok|UPSTREAM_TIMEOUT"}')).toEqual([
      'requests_total{outcome="UPSTREAM_TIMEOUT"}',
    ]);
    expect(missing('requests_total{outcome!="okay"}')).toEqual(['requests_total{outcome="okay"}']);
  });

  it('names a by label that none of the aggregated metrics has', () => {
    expect(missing('sum by (store) (rate(requests_total[5m]))')).toEqual(['by (store) over requests_total']);
  });
});
