import { describe, expect, it } from 'vitest';
import type { Dashboard } from '../monitoring/monitoring-files.ts';
import { renderPage } from './render-page.ts';

const dashboard: Dashboard = {
  title: 'T',
  uid: 't',
  templating: { list: [] },
  panels: [
    { id: 1, type: 'row', title: 'Now', gridPos: { x: 0, y: 0, w: 24, h: 1 } },
    {
      id: 2,
      type: 'stat',
      title: 'Stream',
      gridPos: { x: 0, y: 1, w: 4, h: 4 },
      fieldConfig: {
        defaults: { mappings: [{ type: 'value', options: { '0': { text: 'disconnected', color: 'red' } } }] },
      },
      targets: [{ expr: 'a', refId: 'A' }],
    },
    {
      id: 3,
      type: 'timeseries',
      title: 'By outcome',
      gridPos: { x: 4, y: 1, w: 20, h: 8 },
      fieldConfig: { defaults: { unit: 'reqps' } },
      targets: [{ expr: 'b', refId: 'A', legendFormat: '{{outcome}}' }],
    },
    {
      id: 4,
      type: 'timeseries',
      title: 'Empty',
      gridPos: { x: 0, y: 9, w: 24, h: 6 },
      targets: [{ expr: 'c', refId: 'A' }],
    },
  ],
};

const page = renderPage({
  dashboard,
  data: new Map([
    [
      2,
      {
        targets: [
          [
            {
              metric: {},
              values: [
                [100, 1],
                [102, 0],
              ],
            },
          ],
        ],
      },
    ],
    [
      3,
      {
        targets: [
          [
            {
              metric: { outcome: 'ok' },
              values: [
                [100, 5],
                [102, 7],
              ],
            },
            { metric: { outcome: 'AUTH_UNAVAILABLE' }, values: [[102, 1]] },
          ],
        ],
      },
    ],
  ]),
  range: { start: 100, end: 160, step: 2 },
  bands: [{ label: 'keystore <paused>', startS: 10, endS: 20 }],
  subtitle: 'a run',
});

describe('renderPage', () => {
  it("shows a stat's last value through the panel's value mapping", () => {
    expect(page).toContain('<div class="stat" style="background:#F2495C">disconnected</div>');
  });

  it('draws one line per series with its legend, sorted, and the fault bands escaped', () => {
    expect(page.match(/<polyline /g)).toHaveLength(2);
    expect(page.indexOf('AUTH_UNAVAILABLE</span>')).toBeLessThan(page.indexOf('ok</span>'));
    expect(page).toContain('keystore &lt;paused&gt;');
    expect(page).toContain('req/s');
  });

  it('says "no data" for a panel Prometheus had nothing for', () => {
    expect(page).toContain('<span class="none">no data</span>');
  });
});
