import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './audit-cursor.ts';

describe('audit cursor', () => {
  it('round-trips every seq', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seq) => {
        expect(decodeCursor(encodeCursor(seq))).toBe(seq);
      }),
    );
  });

  it('is base64url of the seq, nothing else', () => {
    expect(encodeCursor(42)).toBe('NDI');
  });

  it('refuses what it did not write', () => {
    for (const bad of ['', 'NDI=', 'N DI', 'LTE', 'MS41', 'YWJj', encodeCursor(1) + '!', 'MDQy']) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });
});
