import { describe, expect, it } from 'vitest';
import { formatTable } from './table.ts';

describe('formatTable', () => {
  it('aligns text left and numbers right, with two decimals where a column has fractions', () => {
    const table = formatTable(
      ['scenario', 'req/s', 'µs/req'],
      [
        ['a direct', 23000, 41.256],
        ['d proxy', 9000.5, null],
      ],
    );
    expect(table).toBe(
      [
        'scenario     req/s  µs/req',
        '--------  --------  ------',
        'a direct  23000.00   41.26',
        'd proxy    9000.50       –',
      ].join('\n'),
    );
  });

  it('keeps whole-number columns whole', () => {
    expect(
      formatTable(['n'], [[3], [12]])
        .split('\n')
        .slice(2),
    ).toEqual([' 3', '12']);
  });

  it('shows NaN and missing cells as a dash', () => {
    expect(formatTable(['x', 'y'], [[Number.NaN]]).split('\n')[2]).toBe('–  –');
  });
});
