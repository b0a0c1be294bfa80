import { describe, expect, it } from 'vitest';
import { selfTimeByOrigin, selfTimes, type CpuProfile } from './cpu-profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
const verifier = 'file:///work/main/apps/proxy/src/key-lookup/key-verifier.ts';

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('writev', 'node:net', 9) },
    { id: 4, callFrame: frame('verify', verifier, 41) },
    { id: 5, callFrame: frame('verify', verifier, 41) },
    { id: 6, callFrame: frame('(garbage collector)') },
    { id: 7, callFrame: frame('get', 'file:///work/main/node_modules/lru-cache/dist/esm/index.js', 99) },
  ],
  samples: [2, 3, 3, 4, 5, 6, 7, 2],
  timeDeltas: [5000, 1000, 1000, 500, 500, 500, 500, 5000],
};

describe('selfTimes', () => {
  it('sums self time per function and place, leaving idle out of the percentages', () => {
    const entries = selfTimes(profile);
    expect(entries.map((entry) => [entry.name, entry.where, entry.selfMs, entry.percent])).toEqual([
      ['writev', 'node:net:10', 2, 50],
      ['verify', 'apps/proxy/src/key-lookup/key-verifier.ts:42', 1, 25],
      ['(garbage collector)', '', 0.5, 12.5],
      ['get', 'lru-cache/dist/esm/index.js:100', 0.5, 12.5],
    ]);
  });

  it('groups by origin', () => {
    expect(selfTimeByOrigin(selfTimes(profile))).toEqual([
      { origin: 'node internals', percent: 50 },
      { origin: 'apps/proxy', percent: 25 },
      { origin: '(garbage collector)', percent: 12.5 },
      { origin: 'lru-cache', percent: 12.5 },
    ]);
  });
});
