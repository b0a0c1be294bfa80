import { describe, expect, it } from 'vitest';
import type { AuditAction, NewAuditEntry } from '../accounts/account-store.ts';
import { decodeCursor } from '../audit/audit-cursor.ts';
import { readAuditPage, type AuditPosition } from '../audit/audit-pages.ts';
import type { Storage } from '../store/storage.ts';
import type { ContractDatabase } from './storage-contract.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MINUTE = 60_000;

/** Twelve entries in two accounts, one a minute, with a known actor, action and target each. */
async function seed(storage: Storage, other: string): Promise<{ account: string; all: NewAuditEntry[] }> {
  const account = storage.keys.defaultAccountId;
  const plan: [string | null, string, AuditAction, string | null][] = [
    [account, 'ann@example.com', 'login', null],
    [account, 'ann@example.com', 'key.created', 'key_a'],
    [other, 'operator', 'key.created', 'key_x'],
    [account, 'bob@example.com', 'login', null],
    [account, 'bob@example.com', 'key.updated', 'key_a'],
    [null, 'nobody@example.com', 'login.failed', null],
    [account, 'operator', 'key.revoked', 'key_a'],
    [account, 'ann@example.com', 'key.created', 'key_b'],
    [other, 'operator', 'key.revoked', 'key_x'],
    [account, 'cli', 'key.rolled', 'key_b'],
    [account, 'bob@example.com', 'logout', null],
    [account, 'ann@example.com', 'login.failed', null],
  ];
  const all = plan.map(([accountId, actor, action, target], i) => ({
    accountId,
    actor,
    action,
    target,
    address: `10.0.0.${i}`,
    at: T0 + i * MINUTE,
  }));
  for (const entry of all) await storage.accounts.appendAudit(entry);
  return { account, all };
}

/**
 * `listAudit`'s filters and paging, run by the storage contract on every
 * engine. Two connections: rows written on one are read on the other.
 */
export function runAuditContract(engine: string, database: () => Promise<ContractDatabase>): void {
  describe(`audit log contract: ${engine}`, () => {
    it('filters by account, actor, actions, target and time, newest first', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const { account } = await seed(a, 'acct_other');
      const read = async (filter: Parameters<Storage['accounts']['listAudit']>[0]) =>
        (await b.accounts.listAudit(filter)).map((e) => `${e.actor} ${e.action} ${e.target ?? '-'}`);

      expect(await read({ accountId: account, limit: 3 })).toEqual([
        'ann@example.com login.failed -',
        'bob@example.com logout -',
        'cli key.rolled key_b',
      ]);
      expect(await read({ limit: 100 })).toHaveLength(12);
      expect(await read({ accountId: 'acct_other', limit: 100 })).toEqual([
        'operator key.revoked key_x',
        'operator key.created key_x',
      ]);
      expect(await read({ accountId: account, actor: 'operator', limit: 100 })).toEqual(['operator key.revoked key_a']);
      expect(await read({ actor: 'operator', limit: 100 })).toHaveLength(3);
      expect(await read({ accountId: account, actions: ['login', 'logout'], limit: 100 })).toEqual([
        'bob@example.com logout -',
        'bob@example.com login -',
        'ann@example.com login -',
      ]);
      expect(await read({ accountId: account, actions: [], limit: 100 })).toEqual([]);
      expect(await read({ accountId: account, target: 'key_a', limit: 100 })).toEqual([
        'operator key.revoked key_a',
        'bob@example.com key.updated key_a',
        'ann@example.com key.created key_a',
      ]);
      // since is inclusive, until exclusive: minutes 4..6 are entries 4 and 6 of this account (5 is nobody's).
      expect(await read({ accountId: account, since: T0 + 4 * MINUTE, until: T0 + 7 * MINUTE, limit: 100 })).toEqual([
        'operator key.revoked key_a',
        'bob@example.com key.updated key_a',
      ]);
      expect(
        await read({
          accountId: account,
          actor: 'ann@example.com',
          actions: ['key.created'],
          target: 'key_b',
          limit: 9,
        }),
      ).toEqual(['ann@example.com key.created key_b']);
      const [entry] = await b.accounts.listAudit({
        accountId: account,
        target: 'key_b',
        actions: ['key.created'],
        limit: 1,
      });
      expect(entry).toMatchObject({ accountId: account, address: '10.0.0.7', at: T0 + 7 * MINUTE });
    });

    it('pages by seq both ways: older than a cursor, and the nearest newer ones still newest first', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const { account } = await seed(a, 'acct_other');
      const seqs = (await b.accounts.listAudit({ accountId: account, limit: 100 })).map((e) => e.seq);
      expect(seqs).toHaveLength(9);
      expect([...seqs].sort((x, y) => y - x)).toEqual(seqs);

      const at = (i: number) => seqs[i] as number;
      const older = await b.accounts.listAudit({ accountId: account, beforeSeq: at(2), limit: 3 });
      expect(older.map((e) => e.seq)).toEqual([at(3), at(4), at(5)]);
      const newer = await b.accounts.listAudit({ accountId: account, afterSeq: at(6), limit: 3 });
      expect(newer.map((e) => e.seq)).toEqual([at(3), at(4), at(5)]);
      const between = await b.accounts.listAudit({ accountId: account, afterSeq: at(5), beforeSeq: at(2), limit: 9 });
      expect(between.map((e) => e.seq)).toEqual([at(3), at(4)]);
    });

    it('walks every page older and back newer through the cursors, each entry once', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const { account } = await seed(a, 'acct_other');
      const all = (await b.accounts.listAudit({ accountId: account, limit: 100 })).map((e) => e.seq);

      const pages: number[][] = [];
      let position: AuditPosition = { from: 'newest' };
      for (let guard = 0; guard < 10; guard++) {
        const page = await readAuditPage(b.accounts, { accountId: account }, position, 4);
        pages.push(page.entries.map((e) => e.seq));
        if (page.olderCursor === null) break;
        position = { from: 'older', seq: decodeCursor(page.olderCursor) as number };
      }
      expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
      expect(pages.flat()).toEqual(all);

      const back: number[][] = [];
      let newer = (await readAuditPage(b.accounts, { accountId: account }, position, 4)).newerCursor;
      for (let guard = 0; guard < 10 && newer !== null; guard++) {
        const page = await readAuditPage(
          b.accounts,
          { accountId: account },
          { from: 'newer', seq: decodeCursor(newer) as number },
          4,
        );
        back.push(page.entries.map((e) => e.seq));
        newer = page.newerCursor;
      }
      expect(back).toEqual([pages[1], pages[0]]);
    });
  });
}
