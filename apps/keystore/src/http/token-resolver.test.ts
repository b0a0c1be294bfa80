import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../testing/fake-clock.ts';
import { mintManagementToken, type ManagementTokenRecord } from '../tokens/management-token.ts';
import { managementTokenResolver } from './token-resolver.ts';

const req = (authorization?: string) => ({ headers: { authorization } }) as unknown as IncomingMessage;

function setup(overrides: Partial<ManagementTokenRecord> = {}) {
  const clock = fakeClock();
  const { token, hash } = mintManagementToken();
  const record: ManagementTokenRecord = {
    id: 'tok_0123456789abcdef',
    accountId: 'acct_a',
    name: 'ci',
    role: 'developer',
    hash,
    createdBy: 'operator',
    createdAt: clock.now(),
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
  const lookups: string[] = [];
  const touches: number[] = [];
  const resolve = managementTokenResolver({
    clock,
    tokens: {
      findManagementTokenByHash: async (h) => {
        lookups.push(h);
        return h === record.hash ? record : undefined;
      },
      touchManagementToken: async (_id, now) => {
        touches.push(now);
        record.lastUsedAt = now;
      },
    },
  });
  return { clock, token, record, lookups, touches, resolve };
}

describe('managementTokenResolver', () => {
  it("resolves its token to the token's principal, by hash", async () => {
    const { token, resolve, lookups, record } = setup();
    expect(await resolve(req(`Bearer ${token}`))).toEqual({
      kind: 'token',
      tokenId: record.id,
      name: 'ci',
      accountId: 'acct_a',
      role: 'developer',
    });
    expect(lookups).toEqual([record.hash]);
  });

  it.each([undefined, '', 'Bearer sk_live_abc', 'Bearer rmk_short', 'Basic rmk_x', `Bearer rmk_${'a'.repeat(44)}`])(
    'asks no database for %j',
    async (header) => {
      const { resolve, lookups } = setup();
      expect(await resolve(req(header))).toBeUndefined();
      expect(lookups).toEqual([]);
    },
  );

  it('refuses an unknown or a revoked token', async () => {
    expect(await setup().resolve(req(`Bearer ${mintManagementToken().token}`))).toBeUndefined();
    const revoked = setup({ revokedAt: 1 });
    expect(await revoked.resolve(req(`Bearer ${revoked.token}`))).toBeUndefined();
    expect(revoked.touches).toEqual([]);
  });

  it('writes last use on the first call, then only once a minute has passed', async () => {
    const { clock, token, resolve, touches } = setup();
    const t0 = clock.now();
    for (let i = 0; i < 5; i++) await resolve(req(`Bearer ${token}`));
    clock.advance(59_999);
    await resolve(req(`Bearer ${token}`));
    clock.advance(1);
    await resolve(req(`Bearer ${token}`));
    expect(touches).toEqual([t0, t0 + 60_000]);
  });
});
