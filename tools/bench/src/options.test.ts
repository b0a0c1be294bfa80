import { describe, expect, it } from 'vitest';
import { parseOptions, SCENARIOS, UsageError, type BenchOptions } from './options.ts';

const at = new Date('2026-03-01T10:20:30.456Z');

function parse(...argv: string[]): BenchOptions {
  const options = parseOptions(argv, at);
  if (options === 'help') throw new Error('unexpected help');
  return options;
}

describe('parseOptions', () => {
  it('defaults to a full run of every scenario', () => {
    const options = parse();
    expect(options).toMatchObject({ quick: false, rounds: 5, durationSeconds: 8, connections: 50, rssKeys: 100_000 });
    expect([...options.only]).toEqual([...SCENARIOS]);
    expect(options.out).toBe('bench-results/2026-03-01T10-20-30-456Z.json');
  });

  it('shrinks everything in quick mode, and explicit flags still win', () => {
    const options = parse('--quick', '--rounds', '3');
    expect(options).toMatchObject({ quick: true, rounds: 3, durationSeconds: 2, rssKeys: 5000, revocationTrials: 5 });
    expect(options.out).toMatch(/-quick\.json$/);
  });

  it('picks scenarios with --only', () => {
    expect([...parse('--only', 'proxy, Direct,stampede').only]).toEqual(['proxy', 'direct', 'stampede']);
  });

  it('knows the floor, floor + EVALSHA, fastify, proxy-at-info and leases-off scenarios', () => {
    const names = ['floor', 'floor+evalsha', 'fastify', 'proxy-info', 'proxy-leases-off', 'proxy-info-leases-off'];
    expect([...parse('--only', names.join(',')).only]).toEqual(names);
    expect(() => parse('--only', 'floor,d')).toThrow(/unknown scenario "d"/);
  });

  it("knows issue 21's forward-auth scenarios and their floors", () => {
    const names = ['nginx-authz', 'nginx-allow', 'authz', 'authz-floor'];
    expect([...parse('--only', names.join(',')).only]).toEqual(names);
  });

  it('passes Node flags to the proxies only when given', () => {
    expect(parse().proxyNodeOptions).toBeNull();
    expect(parse('--proxy-node-options= --max-semi-space-size=4 ').proxyNodeOptions).toBe('--max-semi-space-size=4');
  });

  it('names the flag that is wrong', () => {
    expect(() => parse('--only', 'd,z')).toThrow(UsageError);
    expect(() => parse('--rounds', '0')).toThrow(/--rounds/);
    expect(() => parse('--duration', '1.5')).toThrow(/--duration/);
    expect(() => parse('--bogus')).toThrow();
  });

  it('answers help', () => {
    expect(parseOptions(['--help'], at)).toBe('help');
  });
});
