import { describe, expect, it } from 'vitest';
import { keyListQuery } from './key-list-query.ts';

function built(filter: Parameters<typeof keyListQuery>[0]) {
  const params: (string | number)[] = [];
  const sql = keyListQuery(filter, 1000, (value) => `$${params.push(value)}`, 'ord');
  return { where: sql.split(' FROM keys')[1], params };
}

describe('keyListQuery', () => {
  it('writes each status as one condition, with now bound only where it matters', () => {
    expect(built({ status: 'revoked' }).where).toBe(' WHERE revoked_at IS NOT NULL ORDER BY created_at DESC, ord DESC');
    expect(built({ status: 'active' }).where).toBe(
      ' WHERE revoked_at IS NULL AND expires_at IS NULL ORDER BY created_at DESC, ord DESC',
    );
    expect(built({ status: 'expiring' })).toEqual({
      where: ' WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY created_at DESC, ord DESC',
      params: [1000],
    });
    expect(built({ status: 'expired' })).toEqual({
      where: ' WHERE revoked_at IS NULL AND expires_at <= $1 ORDER BY created_at DESC, ord DESC',
      params: [1000],
    });
  });

  it('binds the account and environment, never writing them into the SQL', () => {
    expect(built({ accountId: "acct_'; DROP TABLE keys", environment: 'live', status: 'expired' })).toEqual({
      where:
        ' WHERE account_id = $1 AND environment = $2 AND revoked_at IS NULL AND expires_at <= $3 ORDER BY created_at DESC, ord DESC',
      params: ["acct_'; DROP TABLE keys", 'live', 1000],
    });
    expect(built({}).where).toBe(' ORDER BY created_at DESC, ord DESC');
  });
});
