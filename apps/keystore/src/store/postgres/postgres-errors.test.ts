import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../storage-error.ts';
import { translatePgError } from './postgres-errors.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('translatePgError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connect timeout', new Error('timeout expired')],
    ['a query timeout', new Error('Query read timeout')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['an admin shutdown (57P01)', pgError('57P01')],
    ['a statement timeout (57014)', pgError('57014')],
    ['a connection failure class (08006)', pgError('08006')],
    ['too many connections (53300)', pgError('53300')],
  ])('turns %s into StorageUnavailableError', (_name, error) => {
    const translated = translatePgError(error);
    expect(translated).toBeInstanceOf(StorageUnavailableError);
    expect((translated as Error).cause).toBe(error);
  });

  it.each([
    ['a unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', pgError('42601', 'syntax error at or near "SELEC"')],
    ['a plain bug', new TypeError('x is not a function')],
  ])('leaves %s as it is', (_name, error) => {
    expect(translatePgError(error)).toBe(error);
  });
});
