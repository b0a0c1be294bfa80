import { describe, expect, it } from 'vitest';
import { hashManagementToken, mintManagementToken, newTokenId } from '../tokens/management-token.ts';
import type { ManagementTokenRecord } from '../tokens/management-token.ts';
import { fakeClock } from './fake-clock.ts';
import type { ContractDatabase } from './storage-contract.ts';

const MINUTE = 60_000;

/** What the management-token methods promise on every engine (part of runStorageContract). */
export function runTokenStorageContract(engine: string, database: () => Promise<ContractDatabase>): void {
  const clock = fakeClock();
  const record = (accountId: string, overrides: Partial<ManagementTokenRecord> = {}): ManagementTokenRecord => ({
    id: newTokenId(),
    accountId,
    name: 'ci-deploy',
    role: 'developer',
    hash: mintManagementToken().hash,
    createdBy: 'owner@example.com',
    createdAt: clock.now(),
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  });

  describe(`storage contract, management tokens: ${engine}`, () => {
    it('stores a token by its hash and finds it by id and by hash, from another connection too', async () => {
      await using db = await database();
      const { accounts, keys } = await db.open();
      const { token, hash } = mintManagementToken();
      const stored = record(keys.defaultAccountId, { hash, role: 'owner' });
      await accounts.createManagementToken(stored);
      const other = await db.openAnother();
      expect(await other.accounts.getManagementToken(stored.id)).toEqual(stored);
      expect(await other.accounts.findManagementTokenByHash(hashManagementToken(token))).toEqual(stored);
      expect(await other.accounts.findManagementTokenByHash(mintManagementToken().hash)).toBeUndefined();
      expect(await other.accounts.getManagementToken('tok_missing')).toBeUndefined();
    });

    it('lists an account newest first, or every account', async () => {
      await using db = await database();
      const { accounts, keys } = await db.open();
      await keys.ensureAccount('acct_second', 'Second', clock.now());
      const old = record(keys.defaultAccountId, { name: 'old' });
      const young = record(keys.defaultAccountId, { name: 'young', createdAt: clock.now() + MINUTE });
      const elsewhere = record('acct_second', { name: 'elsewhere', createdAt: clock.now() + 2 * MINUTE });
      for (const r of [old, young, elsewhere]) await accounts.createManagementToken(r);
      expect(await accounts.listManagementTokens(keys.defaultAccountId)).toEqual([young, old]);
      expect(await accounts.listManagementTokens(undefined)).toEqual([elsewhere, young, old]);
      expect(await accounts.listManagementTokens('acct_nobody')).toEqual([]);
    });

    it('revokes once: the second call changes nothing and says so', async () => {
      await using db = await database();
      const { accounts, keys } = await db.open();
      const stored = record(keys.defaultAccountId);
      await accounts.createManagementToken(stored);
      expect(await accounts.revokeManagementToken(stored.id, clock.now() + 5)).toBe(true);
      expect(await accounts.revokeManagementToken(stored.id, clock.now() + 9)).toBe(false);
      expect(await accounts.revokeManagementToken('tok_missing', clock.now())).toBe(false);
      expect((await accounts.getManagementToken(stored.id))?.revokedAt).toBe(clock.now() + 5);
    });

    it('touches last use at most once per resolution, whichever connection asks', async () => {
      await using db = await database();
      const { accounts, keys } = await db.open();
      const other = await db.openAnother();
      const stored = record(keys.defaultAccountId);
      await accounts.createManagementToken(stored);
      const t0 = clock.now();
      await accounts.touchManagementToken(stored.id, t0, MINUTE);
      await other.accounts.touchManagementToken(stored.id, t0 + MINUTE - 1, MINUTE);
      expect((await accounts.getManagementToken(stored.id))?.lastUsedAt).toBe(t0);
      await other.accounts.touchManagementToken(stored.id, t0 + MINUTE, MINUTE);
      expect((await accounts.getManagementToken(stored.id))?.lastUsedAt).toBe(t0 + MINUTE);
    });

    it('refuses a second token with the same hash', async () => {
      await using db = await database();
      const { accounts, keys } = await db.open();
      const first = record(keys.defaultAccountId);
      await accounts.createManagementToken(first);
      await expect(accounts.createManagementToken({ ...first, id: newTokenId() })).rejects.toThrow();
    });
  });
}
