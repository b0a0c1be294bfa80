import { describe, expect, it } from 'vitest';
import { newUserId } from '../ids.ts';
import { CountingHasher } from '../testing/counting-hasher.ts';
import { addUser, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore } from '../testing/keystore-harness.ts';
import { SCRYPT_COST, ScryptHasher } from './password.ts';

describe('LoginService', () => {
  it('40 wrong passwords started in one tick for one email from one address: 5 are checked, 35 refused as locked, then the right one too', async () => {
    const passwords = new CountingHasher();
    // The concurrency cap out of the way: only the lock-out may bound the checks here.
    await using ks = await startKeystore({ passwords, loginCheckConcurrency: 100 });
    await addUser(ks, 'dev@example.com');
    const results = await Promise.all(
      Array.from({ length: 40 }, () => ks.app.login.login('dev@example.com', 'wrong password', '192.0.2.1')),
    );
    const reasons = results.map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons.filter((r) => r === 'invalid')).toHaveLength(5);
    expect(reasons.filter((r) => r === 'locked')).toHaveLength(35);
    expect(passwords.verifies).toBe(5);
    expect(await ks.app.login.login('dev@example.com', PASSWORD, '192.0.2.1')).toMatchObject({
      ok: false,
      reason: 'locked',
      retryAfterMs: 15 * 60_000,
    });
    expect(passwords.verifies).toBe(5);
  });

  it('a stranger who misses five times every 15 minutes does not lock the member out from its own address', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) await ks.app.login.login('dev@example.com', 'guess', '203.0.113.9');
      expect(await ks.app.login.login('dev@example.com', 'guess', '203.0.113.9')).toMatchObject({ reason: 'locked' });
      expect((await ks.app.login.login('dev@example.com', PASSWORD, '192.0.2.7')).ok).toBe(true);
      ks.clock.advance(15 * 60_000);
    }
    const members = await ks.accounts.listMembers(ks.store.defaultAccountId);
    expect(members.map((m) => [m.email, m.lastLoginAt])).toEqual([['dev@example.com', ks.clock.now() - 15 * 60_000]]);
  });

  it('upgrades a hash stored with older scrypt parameters on the next successful login (real parameters)', async () => {
    // Production's hasher, not the harness's cheap one: this is the test that runs SCRYPT_COST end to end.
    await using ks = await startKeystore({ passwords: new ScryptHasher() });
    const accountId = ks.store.defaultAccountId;
    // What the keystore wrote before: N=2^15, r=8, p=1.
    const old = await new ScryptHasher({ N: 2 ** 15, r: 8, p: 1 }).hash('the old password');
    await ks.accounts.createUser(
      { id: newUserId(), accountId, email: 'dev@example.com', passwordHash: old, role: 'owner' },
      0,
    );

    expect((await ks.app.login.login('dev@example.com', 'not it', '127.0.0.1')).ok).toBe(false);
    expect((await ks.accounts.findUserByEmail('dev@example.com'))?.passwordHash).toBe(old);

    expect((await ks.app.login.login('dev@example.com', 'the old password', '127.0.0.1')).ok).toBe(true);
    const upgraded = (await ks.accounts.findUserByEmail('dev@example.com'))?.passwordHash ?? '';
    const { N, r, p } = SCRYPT_COST;
    expect(upgraded.startsWith(`scrypt$${N}$${r}$${p}$`)).toBe(true);
    expect(await new ScryptHasher().verify('the old password', upgraded)).toEqual({ valid: true, rehash: false });

    expect((await ks.app.login.login('dev@example.com', 'the old password', '127.0.0.1')).ok).toBe(true);
    expect((await ks.accounts.findUserByEmail('dev@example.com'))?.passwordHash).toBe(upgraded);
  });
});
