import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { readKey as readKeyFromHead } from './read-key.ts';
import { readHead } from './request-head.ts';

const readKey = (raw: readonly string[]) => readKeyFromHead(readHead(raw));

const live = makeTestKey('live');
const test = makeTestKey('test');

describe('readKey', () => {
  it('accepts one Bearer header with a well-formed key', () => {
    expect(readKey(['Host', 'x', 'Authorization', `Bearer ${live.key}`])).toEqual({
      ok: true,
      key: live.key,
      environment: 'live',
    });
    expect(readKey(['authorization', `Bearer ${test.key}`])).toMatchObject({ ok: true, environment: 'test' });
  });

  it('takes the scheme case-insensitively', () => {
    expect(readKey(['Authorization', `bearer ${live.key}`]).ok).toBe(true);
    expect(readKey(['AUTHORIZATION', `BEARER ${live.key}`]).ok).toBe(true);
  });

  it.each([
    ['missing', []],
    ['empty', ['Authorization', '']],
    ['scheme only', ['Authorization', 'Bearer']],
    ['Basic', ['Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`]],
    ['no scheme', ['Authorization', live.key]],
    ['two spaces', ['Authorization', `Bearer  ${live.key}`]],
    ['two tokens', ['Authorization', `Bearer ${live.key} ${test.key}`]],
    ['comma list', ['Authorization', `Bearer ${live.key}, Bearer ${test.key}`]],
    ['two headers', ['Authorization', `Bearer ${live.key}`, 'authorization', `Bearer ${live.key}`]],
    ['bad checksum', ['Authorization', `Bearer ${live.key.slice(0, -1)}${live.key.endsWith('A') ? 'B' : 'A'}`]],
    ['unknown prefix', ['Authorization', `Bearer ${live.key.replace('sk_live_', 'pk_live_')}`]],
    ['trailing junk', ['Authorization', `Bearer ${live.key}x`]],
  ])('rejects %s', (_name, raw) => {
    expect(readKey(raw)).toEqual({ ok: false });
  });
});
