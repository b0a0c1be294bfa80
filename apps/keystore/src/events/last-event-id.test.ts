import { describe, expect, it } from 'vitest';
import { MAX_REPLAY_EVENTS, decideResume } from './last-event-id.ts';

const log = { epoch: 'Ep0ch', latestSeq: 40, prunedThrough: 10 };

describe('decideResume', () => {
  it('starts fresh without an id', () => {
    expect(decideResume(undefined, log)).toEqual({ kind: 'fresh' });
    expect(decideResume('', log)).toEqual({ kind: 'fresh' });
  });

  it('replays from a retained seq of this epoch', () => {
    expect(decideResume('Ep0ch:10', log)).toEqual({ kind: 'replay', seq: 10 });
    expect(decideResume('Ep0ch:40', log)).toEqual({ kind: 'replay', seq: 40 });
  });

  it('resets a client so far behind that a flush is cheaper than a replay', () => {
    const long = { epoch: 'Ep0ch', latestSeq: MAX_REPLAY_EVENTS + 5, prunedThrough: 0 };
    expect(decideResume('Ep0ch:5', long)).toEqual({ kind: 'replay', seq: 5 });
    expect(decideResume('Ep0ch:4', long)).toEqual({ kind: 'reset', reason: 'behind' });
  });

  it.each([
    ['Other:12', 'epoch'],
    ['Ep0ch:9', 'pruned'],
    ['Ep0ch:41', 'ahead'],
    ['Ep0ch', 'malformed'],
    ['Ep0ch:-1', 'malformed'],
    ['Ep0ch:01', 'malformed'],
    ['garbage value', 'malformed'],
  ])('resets on %s (%s)', (id, reason) => {
    expect(decideResume(id, log)).toEqual({ kind: 'reset', reason });
  });
});
