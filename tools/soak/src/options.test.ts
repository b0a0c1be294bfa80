import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './options.ts';

describe('parseOptions', () => {
  it('defaults to a bounded 10-minute run at 200 req/s with 1 % invalid keys', () => {
    expect(parseOptions([])).toEqual({
      minutes: 10,
      rate: 200,
      invalidPercent: 1,
      sampleSeconds: 2,
      out: 'reports/soak',
      noRedis: false,
    });
  });

  it('reads every flag', () => {
    expect(parseOptions(['--minutes', '1', '--rate', '50', '--out', '/tmp/x', '--no-redis'])).toMatchObject({
      minutes: 1,
      rate: 50,
      out: '/tmp/x',
      noRedis: true,
    });
  });

  it.each([['--minutes', '0'], ['--minutes', 'abc'], ['--rate', '-1'], ['--bogus']])('refuses %s %s', (...args) => {
    expect(() => parseOptions(args.filter((a) => a !== undefined))).toThrow(UsageError);
  });
});
