import { describe, expect, it } from 'vitest';
import { parseProcStat, parseVmRssBytes } from './proc.ts';

describe('parseProcStat', () => {
  it('reads pid, ppid and utime + stime', () => {
    const line =
      '4242 (node) S 4200 4242 4200 0 -1 4194560 18716 0 0 0 1234 567 0 0 20 0 11 0 1000 1090519040 25000 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4200, cpuTicks: 1801 });
  });

  it('copes with spaces and parentheses in the command name', () => {
    const line = '77 (nginx: worker (x) ) R 76 76 1 0 -1 0 0 0 0 0 30 12 0 0 20 0 1 0 5 0 0';
    expect(parseProcStat(line)).toEqual({ pid: 77, ppid: 76, cpuTicks: 42 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('hello')).toThrow();
  });
});

describe('parseVmRssBytes', () => {
  it('converts kB to bytes', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   51200 kB\nThreads:\t11\n')).toBe(52_428_800);
  });

  it('is NaN when the line is missing', () => {
    expect(parseVmRssBytes('Name:\tzombie\n')).toBeNaN();
  });
});
