import { expect, it } from 'vitest';
import type { NewInvitation, NewUser } from '../accounts/account-store.ts';
import type { Role } from '../accounts/roles.ts';
import { newInvitationId, newUserId } from '../ids.ts';
import type { Storage } from '../store/storage.ts';
import { fakeClock } from './fake-clock.ts';
import type { ContractDatabase } from './storage-contract.ts';

const HOUR = 3_600_000;

const member = (accountId: string, email: string, role: Role): NewUser => ({
  id: newUserId(),
  accountId,
  email,
  passwordHash: 'h',
  role,
});

const invitation = (accountId: string, email: string, now: number, overrides: Partial<NewInvitation> = {}) => ({
  id: newInvitationId(),
  accountId,
  email,
  role: 'developer' as const,
  invitedBy: 'owner@example.com',
  tokenHash: `hash-of-${email}`,
  createdAt: now,
  expiresAt: now + 72 * HOUR,
  ...overrides,
});

const session = (userId: string, idHash: string, now: number) => ({
  idHash,
  userId,
  csrfToken: 'csrf',
  createdAt: now,
  lastSeenAt: now,
  expiresAt: now + HOUR,
});

/** Members, roles, invitations and per-member sessions: part of the storage contract, on every engine. */
export function runAccountContract(database: () => Promise<ContractDatabase>): void {
  const clock = fakeClock();

  const twoConnections = async (db: ContractDatabase): Promise<[Storage, Storage, string]> => {
    const a = await db.open();
    const b = await db.openAnother();
    return [a, b, a.keys.defaultAccountId];
  };

  it('lists an account’s members with roles and last login; finds one by id; another account’s are apart', async () => {
    await using db = await database();
    const [a, b, accountId] = await twoConnections(db);
    const now = clock.now();
    await a.keys.ensureAccount('acct_other', 'Other', now);
    const owner = await a.accounts.createUser(member(accountId, 'owner@example.com', 'owner'), now);
    const viewer = await b.accounts.createUser(member(accountId, 'viewer@example.com', 'viewer'), now + 1);
    await a.accounts.createUser(member('acct_other', 'else@example.com', 'owner'), now);
    await b.accounts.recordLogin(viewer!.id, now + 50);
    await a.accounts.recordLogin(viewer!.id, now + 20);
    expect(await b.accounts.listMembers(accountId)).toEqual([owner, { ...viewer, lastLoginAt: now + 50 }]);
    expect(await a.accounts.findUser(owner!.id)).toEqual(owner);
    expect(await a.accounts.findUser('user_missing')).toBeUndefined();
  });

  it('changes a role only while it is the one read, and always keeps an owner', async () => {
    await using db = await database();
    const [a, b, accountId] = await twoConnections(db);
    const now = clock.now();
    const first = await a.accounts.createUser(member(accountId, 'first@example.com', 'owner'), now);
    const second = await a.accounts.createUser(member(accountId, 'second@example.com', 'owner'), now);
    const change = (userId: string, from: Role) => ({ accountId, userId, from });

    expect(await b.accounts.changeRole(change(first!.id, 'admin'), 'viewer')).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await b.accounts.changeRole({ ...change(first!.id, 'owner'), accountId: 'acct_other' }, 'viewer')).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await b.accounts.changeRole(change(first!.id, 'owner'), 'admin')).toEqual({ ok: true });
    expect(await a.accounts.changeRole(change(second!.id, 'owner'), 'viewer')).toEqual({
      ok: false,
      reason: 'last_owner',
    });
    expect(await a.accounts.removeMember(change(second!.id, 'owner'))).toEqual({ ok: false, reason: 'last_owner' });
    expect((await b.accounts.findUser(first!.id))?.role).toBe('admin');

    // Two owners stepping down at once, on two connections: one of them stays owner.
    expect(await a.accounts.changeRole(change(first!.id, 'admin'), 'owner')).toEqual({ ok: true });
    const results = await Promise.all([
      a.accounts.changeRole(change(first!.id, 'owner'), 'developer'),
      b.accounts.removeMember(change(second!.id, 'owner')),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'last_owner' }]);
    const owners = (await a.accounts.listMembers(accountId)).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('removing a member ends its sessions at once; the others keep theirs', async () => {
    await using db = await database();
    const [a, b, accountId] = await twoConnections(db);
    const now = clock.now();
    await a.accounts.createUser(member(accountId, 'owner@example.com', 'owner'), now);
    const leaving = await a.accounts.createUser(member(accountId, 'leaving@example.com', 'developer'), now);
    const staying = await a.accounts.createUser(member(accountId, 'staying@example.com', 'viewer'), now);
    await a.accounts.createSession(session(leaving!.id, '1'.repeat(64), now));
    await a.accounts.createSession(session(staying!.id, '2'.repeat(64), now));
    expect(await b.accounts.removeMember({ accountId, userId: leaving!.id, from: 'developer' })).toEqual({ ok: true });
    expect(await a.accounts.findSession('1'.repeat(64))).toBeUndefined();
    expect(await a.accounts.findSession('2'.repeat(64))).toBeDefined();
    expect(await a.accounts.findUser(leaving!.id)).toBeUndefined();
    expect(await b.accounts.removeMember({ accountId, userId: leaving!.id, from: 'developer' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('lists a member’s sessions, ends all but one, and sets a password ending the others in one step', async () => {
    await using db = await database();
    const [a, b, accountId] = await twoConnections(db);
    const now = clock.now();
    const user = await a.accounts.createUser(member(accountId, 'dev@example.com', 'developer'), now);
    const other = await a.accounts.createUser(member(accountId, 'other@example.com', 'developer'), now);
    for (const [i, hash] of ['a', 'b', 'c'].entries())
      await a.accounts.createSession(session(user!.id, hash.repeat(64), now + i));
    await a.accounts.createSession(session(other!.id, 'd'.repeat(64), now));
    expect((await b.accounts.listSessions(user!.id)).map((s) => s.idHash[0])).toEqual(['c', 'b', 'a']);
    expect(await b.accounts.deleteSessionsOf(user!.id, 'a'.repeat(64))).toBe(2);
    expect((await a.accounts.listSessions(user!.id)).map((s) => s.idHash[0])).toEqual(['a']);

    await a.accounts.createSession(session(user!.id, 'e'.repeat(64), now));
    await b.accounts.setPassword(user!.id, 'new hash', 'e'.repeat(64));
    expect((await a.accounts.listSessions(user!.id)).map((s) => s.idHash[0])).toEqual(['e']);
    expect((await a.accounts.findUser(user!.id))?.passwordHash).toBe('new hash');
    expect(await a.accounts.listSessions(other!.id)).toHaveLength(1);
    expect(await a.accounts.deleteSessionsOf(other!.id, undefined)).toBe(1);
  });

  it('invitations: pending ones listed newest first, withdrawn once, used once even from two connections at once', async () => {
    await using db = await database();
    const [a, b, accountId] = await twoConnections(db);
    const now = clock.now();
    const dev = invitation(accountId, 'dev@example.com', now);
    const gone = invitation(accountId, 'gone@example.com', now + 1);
    const late = invitation(accountId, 'late@example.com', now - 73 * HOUR, { expiresAt: now - HOUR });
    for (const i of [dev, gone, late]) await a.accounts.createInvitation(i);
    const { tokenHash: _hash, ...devRecord } = dev;
    expect(await b.accounts.findInvitation(dev.tokenHash)).toEqual({
      ...devRecord,
      acceptedAt: null,
      withdrawnAt: null,
    });
    expect((await b.accounts.pendingInvitations(accountId, now)).map((i) => i.email)).toEqual([
      'gone@example.com',
      'dev@example.com',
    ]);

    expect((await b.accounts.withdrawInvitation(accountId, gone.id, now + 5))?.withdrawnAt).toBe(now + 5);
    expect(await a.accounts.withdrawInvitation(accountId, gone.id, now + 6)).toBeUndefined();
    expect(await a.accounts.withdrawInvitation('acct_other', dev.id, now)).toBeUndefined();
    expect(await a.accounts.acceptInvitation(gone.tokenHash, { id: newUserId(), passwordHash: 'p' }, now)).toEqual({
      ok: false,
      reason: 'withdrawn',
    });
    expect(await a.accounts.acceptInvitation(late.tokenHash, { id: newUserId(), passwordHash: 'p' }, now)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await a.accounts.acceptInvitation('nothing', { id: newUserId(), passwordHash: 'p' }, now)).toEqual({
      ok: false,
      reason: 'unknown',
    });

    const results = await Promise.all(
      [a, b, a, b].map((s) =>
        s.accounts.acceptInvitation(dev.tokenHash, { id: newUserId(), passwordHash: 'p' }, now + 9),
      ),
    );
    const joined = results.filter((r) => r.ok);
    expect(joined).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: 'used' },
      { ok: false, reason: 'used' },
      { ok: false, reason: 'used' },
    ]);
    const user = joined[0]!.ok ? joined[0]!.user : undefined;
    expect(user).toMatchObject({ accountId, email: 'dev@example.com', role: 'developer', lastLoginAt: now + 9 });
    expect(await b.accounts.findUserByEmail('dev@example.com')).toEqual(user);
    expect((await a.accounts.findInvitation(dev.tokenHash))?.acceptedAt).toBe(now + 9);
    expect(await a.accounts.pendingInvitations(accountId, now + 9)).toEqual([]);
  });

  it('an invitation for an email that has a login meanwhile is refused and stays unused', async () => {
    await using db = await database();
    const [a, b, accountId] = await twoConnections(db);
    const now = clock.now();
    const dev = invitation(accountId, 'dev@example.com', now);
    await a.accounts.createInvitation(dev);
    await b.accounts.createUser(member(accountId, 'dev@example.com', 'viewer'), now);
    expect(await a.accounts.acceptInvitation(dev.tokenHash, { id: newUserId(), passwordHash: 'p' }, now)).toEqual({
      ok: false,
      reason: 'email_taken',
    });
    expect((await b.accounts.findInvitation(dev.tokenHash))?.acceptedAt).toBeNull();
  });
}
