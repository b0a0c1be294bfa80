import { describe, expect, it } from 'vitest';
import { formatValue, legendOf, niceTicks } from './format.ts';

describe('formatValue', () => {
  it.each([
    [0.0909, 'percentunit', '9.09%'],
    [1, 'percentunit', '100%'],
    [0.00042, 's', '420 µs'],
    [0.0125, 's', '12.5 ms'],
    [2.5, 's', '2.5 s'],
    [160 * 1024 * 1024, 'bytes', '160 MiB'],
    [1500, 'reqps', '1.5k req/s'],
    [3.25, 'ops', '3.25/s'],
    [2, 'none', '2'],
    [Number.NaN, 's', '–'],
  ])('%s in %s → %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe('legendOf', () => {
  it('fills {{label}} from the series, empty for a missing label', () => {
    expect(legendOf('{{decision}} ({{store}})', { decision: 'allowed', store: 'redis' })).toBe('allowed (redis)');
    expect(legendOf('p{{nope}}', {})).toBe('p');
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0, 173)).toEqual([0, 50, 100, 150, 200]);
    expect(niceTicks(0, 0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
