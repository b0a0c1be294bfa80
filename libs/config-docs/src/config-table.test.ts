import { describe, expect, it } from 'vitest';
import { renderTable, replaceSection, sectionOf } from './config-table.ts';

const docs = {
  A_PORT: { type: 'port', default: '5001', description: 'Where it listens.' },
  B_LIST: { type: 'CIDRs', default: 'unset: none', description: 'a | b, split\nacross lines' },
};

describe('renderTable', () => {
  it('is one row per variable, pipes escaped', () => {
    expect(renderTable(docs)).toBe(
      [
        '| Name | Type | Default | Description |',
        '| --- | --- | --- | --- |',
        '| `A_PORT` | port | 5001 | Where it listens. |',
        '| `B_LIST` | CIDRs | unset: none | a \\| b, split across lines |',
      ].join('\n'),
    );
  });
});

describe('sections', () => {
  it('round-trips: what is written is what is read, and the rest of the page is kept', () => {
    const page = '# Configuration\n\nIntro.\n';
    const once = replaceSection(page, 'proxy', renderTable(docs));
    expect(sectionOf(once, 'proxy')).toBe(renderTable(docs));
    expect(once.startsWith(page.trimEnd())).toBe(true);
    const twice = replaceSection(once, 'proxy', 'other');
    expect(sectionOf(twice, 'proxy')).toBe('other');
    expect(twice.split('generated: proxy').length).toBe(2);
  });

  it('finds nothing without the markers', () => {
    expect(sectionOf('# nothing', 'proxy')).toBeUndefined();
  });
});
