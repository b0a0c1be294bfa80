import { hash, parse } from '@routemcp/api-key';
import { describe, expect, it } from 'vitest';
import { postgresColumn, type PostgresColumnInfo } from './postgres-key-seeder.ts';
import { FILLED_COLUMNS, schemaProblem, seedKeys } from './seed-rows.ts';
import { sqliteColumn } from './sqlite-key-seeder.ts';

const known = FILLED_COLUMNS.map((name) => ({ name, required: name !== 'name' }));

describe('schemaProblem', () => {
  it('accepts the columns it fills plus optional ones', () => {
    expect(schemaProblem([...known, { name: 'revoked_at', required: false }])).toBeNull();
  });

  it('names the columns it would fill that are missing, and the required ones it would leave out', () => {
    expect(schemaProblem(known.filter((c) => c.name !== 'hint' && c.name !== 'hash'))).toBe(
      'keys table lacks hash, hint',
    );
    expect(schemaProblem([...known, { name: 'owner', required: true }])).toBe('keys table requires owner');
  });
});

describe('column shapes', () => {
  const pgColumn = (over: Partial<PostgresColumnInfo>): PostgresColumnInfo => ({
    column_name: 'c',
    is_nullable: 'NO',
    column_default: null,
    is_identity: 'NO',
    is_generated: 'NEVER',
    ...over,
  });

  it('PostgreSQL: NOT NULL without a default is required; identity, generated, defaulted or nullable are not', () => {
    expect(postgresColumn(pgColumn({})).required).toBe(true);
    // keys.ord: bigint GENERATED ALWAYS AS IDENTITY, NOT NULL, no column_default.
    expect(postgresColumn(pgColumn({ column_name: 'ord', is_identity: 'YES' }))).toEqual({
      name: 'ord',
      required: false,
    });
    expect(postgresColumn(pgColumn({ is_generated: 'ALWAYS' })).required).toBe(false);
    expect(postgresColumn(pgColumn({ column_default: '0' })).required).toBe(false);
    expect(postgresColumn(pgColumn({ is_nullable: 'YES' })).required).toBe(false);
  });

  it('SQLite: NOT NULL without a default is required, the primary key is not', () => {
    expect(sqliteColumn({ name: 'owner', notnull: 1, dflt_value: null, pk: 0 }).required).toBe(true);
    expect(sqliteColumn({ name: 'id', notnull: 1, dflt_value: null, pk: 1 }).required).toBe(false);
    expect(sqliteColumn({ name: 'n', notnull: 1, dflt_value: '0', pk: 0 }).required).toBe(false);
  });
});

describe('seedKeys', () => {
  it('makes distinct well-formed live keys with their hash and an id in the keystore shape', () => {
    const keys = seedKeys(50);
    expect(new Set(keys.map((k) => k.key)).size).toBe(50);
    expect(new Set(keys.map((k) => k.id)).size).toBe(50);
    for (const k of keys) {
      expect(parse(k.key).ok).toBe(true);
      expect(k.key.startsWith('sk_live_')).toBe(true);
      expect(k.hash).toBe(hash(k.key));
      expect(k.id).toMatch(/^key_[0-9A-Za-z]{24}$/);
      expect(k.hint).not.toContain(k.key);
    }
  });
});
