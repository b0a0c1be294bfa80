import { describe, expect, it } from 'vitest';
import { MAX_LEAK_URL, keyLeakSchema, leakLabelSchema } from './key-leak.ts';

describe('keyLeakSchema', () => {
  it('reads a leak as the management API shows it, a GitHub report without a URL included', () => {
    const leak = {
      at: '2026-06-01T00:00:00.000Z',
      url: 'https://github.com/o/r/blob/1/.env',
      source: 'github:content',
    };
    expect(keyLeakSchema.parse(leak)).toEqual(leak);
    expect(keyLeakSchema.parse({ ...leak, url: '' }).url).toBe('');
  });

  it('refuses a leak without a time or source, or with an oversized URL', () => {
    const leak = { at: '2026-06-01T00:00:00.000Z', url: 'https://x', source: 'gitleaks' };
    expect(keyLeakSchema.safeParse({ ...leak, at: 'yesterday' }).success).toBe(false);
    expect(keyLeakSchema.safeParse({ ...leak, source: '' }).success).toBe(false);
    expect(keyLeakSchema.safeParse({ ...leak, url: 'x'.repeat(MAX_LEAK_URL + 1) }).success).toBe(false);
  });

  it("has GitHub's two labels", () => {
    expect(leakLabelSchema.options).toEqual(['true_positive', 'false_positive']);
  });
});
