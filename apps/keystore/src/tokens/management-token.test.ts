import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from '@routemcp/api-key';
import { ROLES } from '../accounts/roles.ts';
import { hashManagementToken, MANAGEMENT_TOKEN, mayMint, mintManagementToken } from './management-token.ts';

describe('management tokens', () => {
  it('are rmk_ + 43 base62 characters, hashed as their SHA-256, and differ each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { token, hash } = mintManagementToken();
      expect(token).toMatch(MANAGEMENT_TOKEN);
      expect(hash).toBe(hashManagementToken(token));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      seen.add(token);
    }
    expect(seen.size).toBe(200);
  });

  it('are never API keys: the proxy cannot parse one', () => {
    expect(parse(mintManagementToken().token).ok).toBe(false);
  });

  it('a role mints itself or less: only an owner mints an owner token', () => {
    expect(ROLES.filter((role) => mayMint(role, 'owner'))).toEqual(['owner']);
    expect(ROLES.filter((role) => mayMint(role, 'admin'))).toEqual(['owner', 'admin']);
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.constantFrom(...ROLES), (minter, requested) => {
        expect(mayMint(minter, requested)).toBe(ROLES.indexOf(minter) <= ROLES.indexOf(requested));
        if (minter === requested) expect(mayMint(minter, requested)).toBe(true);
      }),
    );
  });
});
