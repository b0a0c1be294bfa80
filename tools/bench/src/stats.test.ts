import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, round } from './stats.ts';

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores non-finite values and is NaN for nothing', () => {
    expect(median([Number.NaN, 7, Number.POSITIVE_INFINITY])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('percentile', () => {
  const hundredAndOne = Array.from({ length: 101 }, (_, i) => 100 - i);

  it('interpolates between closest ranks', () => {
    expect(percentile(hundredAndOne, 0)).toBe(0);
    expect(percentile(hundredAndOne, 99)).toBe(99);
    expect(percentile(hundredAndOne, 100)).toBe(100);
    expect(percentile([10, 20], 75)).toBe(17.5);
  });

  it('accepts typed arrays without mutating them', () => {
    const samples = Float64Array.of(3, 1, 2);
    expect(percentile(samples, 50)).toBe(2);
    expect(Array.from(samples)).toEqual([3, 1, 2]);
  });

  it('rejects a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('ratio and round', () => {
  it('is NaN when a side is missing or zero', () => {
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(10, 0)).toBeNaN();
    expect(ratio(Number.NaN, 4)).toBeNaN();
  });

  it('rounds, and turns NaN into null for JSON', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(Number.NaN)).toBeNull();
  });
});
