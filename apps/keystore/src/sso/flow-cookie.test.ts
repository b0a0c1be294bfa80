import { describe, expect, it } from 'vitest';
import { FlowCookie } from './flow-cookie.ts';

const flow = { state: 's'.repeat(43), nonce: 'n'.repeat(43), verifier: 'v'.repeat(43), expiresAt: 1_000 };

describe('FlowCookie', () => {
  it('opens what it sealed until it expires', () => {
    const cookie = new FlowCookie('client-secret');
    const sealed = cookie.seal(flow);
    expect(sealed).not.toContain('sss');
    expect(cookie.open(sealed, 999)).toEqual(flow);
    expect(cookie.open(sealed, 1_000)).toBeUndefined();
  });

  it('opens nothing sealed under another secret, changed, cut short or missing', () => {
    const sealed = new FlowCookie('client-secret').seal(flow);
    const cookie = new FlowCookie('client-secret');
    expect(new FlowCookie('another-secret').open(sealed, 0)).toBeUndefined();
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(cookie.open(flipped.toString('base64url'), 0)).toBeUndefined();
    expect(cookie.open(sealed.slice(0, 30), 0)).toBeUndefined();
    expect(cookie.open(undefined, 0)).toBeUndefined();
    expect(cookie.open('', 0)).toBeUndefined();
  });
});
