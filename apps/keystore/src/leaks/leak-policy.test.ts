import { describe, expect, it } from 'vitest';
import { DEFAULT_LEAK_POLICY, leakAction } from './leak-policy.ts';

describe('leakAction', () => {
  it('revokes test keys and notifies for live ones by default', () => {
    expect(leakAction(DEFAULT_LEAK_POLICY, 'test', 1000)).toEqual({ kind: 'revoke' });
    expect(leakAction(DEFAULT_LEAK_POLICY, 'live', 1000)).toEqual({ kind: 'notify' });
  });

  it('ends an expiring key after the grace period from the report', () => {
    expect(leakAction({ live: 'expire', test: 'notify', graceSeconds: 60 }, 'live', 1000)).toEqual({
      kind: 'expire',
      endsAt: 61_000,
    });
  });
});
