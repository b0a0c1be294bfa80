import { describe, expect, it } from 'vitest';
import { renderHtml, type SoakReport } from './report.ts';
import type { Sample } from './sampler.ts';

const sample = (t: number, over: Partial<Sample> = {}): Sample => ({
  t,
  rssMb: 80 + t / 10,
  openFds: 30,
  lagP99Ms: 12,
  rps: 200,
  ok: 396,
  refused: 4,
  unexpected: 0,
  unexpectedBy: {},
  latencyP99Ms: 3,
  ...over,
});

const report: SoakReport = {
  options: { minutes: 1, rate: 200, invalidPercent: 1, sampleSeconds: 2, out: '/tmp', noRedis: false },
  startedAt: '2026-01-01T00:00:00.000Z',
  redis: true,
  faults: [{ kind: 'redis paused', startS: 20, endS: 25 }],
  samples: [sample(2), sample(4, { rssMb: null }), sample(6)],
  totals: { ok: 1188, refused: 12, unexpected: { 'valid key 500': 1 } },
  proxyDied: null,
};

describe('renderHtml', () => {
  it('draws one inline SVG chart per series with the fault windows shaded, and loads nothing from elsewhere', () => {
    const html = renderHtml(report);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).toContain('<title>redis paused</title>');
    expect(html).toContain('valid key 500: 1');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('escapes what it prints', () => {
    const html = renderHtml({ ...report, proxyDied: 'exit <1>' });
    expect(html).toContain('exit &lt;1&gt;');
  });
});
