import { hash } from '@routemcp/api-key';
import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { ConnectionKeys } from './connection-keys.ts';

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, authorizations: 1 });

function counting(): { keys: ConnectionKeys; digests: string[] } {
  const digests: string[] = [];
  const keys = new ConnectionKeys({ hash: (key) => (digests.push(hash(key)), hash(key)) });
  return { keys, digests };
}

describe('ConnectionKeys', () => {
  it('hashes a key once while its connection repeats it', () => {
    const { keys, digests } = counting();
    const connection = {};
    const { key, hash: digest } = makeTestKey('live');
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
    expect(digests).toHaveLength(1);
  });

  it('hashes again on another connection, and on every request without one', () => {
    const { keys, digests } = counting();
    const { key } = makeTestKey('live');
    keys.keyHashOf(bearer(key), {});
    keys.keyHashOf(bearer(key), {});
    keys.keyHashOf(bearer(key), undefined);
    keys.keyHashOf(bearer(key), undefined);
    expect(digests).toHaveLength(4);
  });

  it('answers for the key sent now when a connection changes keys', () => {
    const { keys } = counting();
    const connection = {};
    const first = makeTestKey('live');
    const second = makeTestKey('test');
    expect(keys.keyHashOf(bearer(first.key), connection)).toBe(first.hash);
    expect(keys.keyHashOf(bearer(second.key), connection)).toBe(second.hash);
    expect(keys.keyHashOf(bearer(first.key), connection)).toBe(first.hash);
  });

  it('refuses a malformed value and a second Authorization field even right after the same key passed', () => {
    const { keys } = counting();
    const connection = {};
    const { key, hash: digest } = makeTestKey('live');
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
    expect(keys.keyHashOf({ authorization: `Bearer ${key}`, authorizations: 2 }, connection)).toBeNull();
    expect(keys.keyHashOf({ authorization: `Bearer ${key.slice(0, -1)}x`, authorizations: 1 }, connection)).toBeNull();
    expect(keys.keyHashOf({ authorization: undefined, authorizations: 0 }, connection)).toBeNull();
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
  });

  it('tells apart two keys of one length that differ only in their last character', () => {
    const { keys } = counting();
    const connection = {};
    const { key, hash: digest } = makeTestKey('live');
    const other = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
    // Same length, same prefix: compared in full, then refused by its checksum, never answered with the first digest.
    expect(keys.keyHashOf(bearer(other), connection)).toBeNull();
    expect(keys.keyHashOf(bearer(key), connection)).toBe(digest);
  });
});
