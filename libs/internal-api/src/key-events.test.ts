import { describe, expect, it } from 'vitest';
import { formatEventId, helloEventSchema, keyEventSchema, parseEventId, resetEventSchema } from './key-events.ts';

const hash = 'a'.repeat(64);

describe('key event schemas', () => {
  it('accept what the keystore sends', () => {
    const key = { type: 'revoked', keyId: 'key_abc', keyHash: hash, at: '2026-01-01T00:00:00.000Z' };
    expect(keyEventSchema.parse(key)).toEqual(key);
    expect(helloEventSchema.parse({ epoch: 'Ep0ch', seq: 0 })).toEqual({ epoch: 'Ep0ch', seq: 0 });
    expect(resetEventSchema.parse({ reason: 'pruned' })).toEqual({ reason: 'pruned' });
  });

  it('refuse a key event whose hash cannot name a cache entry', () => {
    for (const keyHash of ['A'.repeat(64), 'a'.repeat(63), undefined]) {
      expect(
        keyEventSchema.safeParse({ type: 'revoked', keyId: 'k', keyHash, at: '2026-01-01T00:00:00Z' }).success,
      ).toBe(false);
    }
  });
});

describe('event ids', () => {
  it('round-trip epoch and seq', () => {
    expect(parseEventId(formatEventId('Ep0ch', 42))).toEqual({ epoch: 'Ep0ch', seq: 42 });
  });

  it.each(['Ep0ch', 'Ep0ch:-1', 'Ep0ch:01', 'a b:1', ':1', ''])('refuse %j', (id) => {
    expect(parseEventId(id)).toBeUndefined();
  });
});
