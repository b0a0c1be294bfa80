import { describe, expect, it } from 'vitest';
import { MAX_USAGE_ENTRIES, usageBatchSchema } from './usage.ts';

const entry = { keyId: 'key_abc', requests: 12, rateLimited: 1, lastUsedAt: '2026-01-01T10:00:00.000Z' };

describe('usageBatchSchema', () => {
  it('accepts a batch and an empty one', () => {
    expect(usageBatchSchema.parse({ entries: [entry] })).toEqual({ entries: [entry] });
    expect(usageBatchSchema.parse({ entries: [] })).toEqual({ entries: [] });
  });

  it("takes the optional admitted count, and an older proxy's entry without it", () => {
    expect(usageBatchSchema.parse({ entries: [{ ...entry, admitted: 11 }] }).entries[0]?.admitted).toBe(11);
    expect(usageBatchSchema.parse({ entries: [entry] }).entries[0]).not.toHaveProperty('admitted');
  });

  it.each([
    ['a negative count', { ...entry, requests: -1 }],
    ['a fractional count', { ...entry, rateLimited: 0.5 }],
    ['an epoch number as lastUsedAt', { ...entry, lastUsedAt: 1_700_000_000_000 }],
    ['an unknown field', { ...entry, extra: true }],
    ['a negative admitted count', { ...entry, admitted: -1 }],
    ['a fractional admitted count', { ...entry, admitted: 1.5 }],
  ])('refuses %s', (_name, bad) => {
    expect(usageBatchSchema.safeParse({ entries: [bad] }).success).toBe(false);
  });

  it('bounds the batch size', () => {
    const entries = Array.from({ length: MAX_USAGE_ENTRIES + 1 }, () => entry);
    const parsed = usageBatchSchema.safeParse({ entries });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(`expected at most ${MAX_USAGE_ENTRIES} entries`);
  });
});
