import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it('keeps a valid incoming id', () => {
    expect(requestIdOf('abc.DEF_123-x')).toBe('abc.DEF_123-x');
    expect(requestIdOf('a'.repeat(128))).toBe('a'.repeat(128));
  });

  it.each([undefined, '', 'a'.repeat(129), 'has space', 'a,b', 'x\u00e9', '<script>'])(
    'replaces %o with a fresh UUID',
    (incoming) => {
      expect(requestIdOf(incoming)).toMatch(UUID);
    },
  );

  it('replaces anything key-shaped, so a key pasted into the header is never logged or echoed', () => {
    const { key } = makeTestKey('live');
    expect(requestIdOf(key)).toMatch(UUID);
    expect(requestIdOf(`trace-${makeTestKey('test').key}`)).toMatch(UUID);
  });

  it('replaces a duplicated header', () => {
    expect(requestIdOf(['a', 'b'])).toMatch(UUID);
  });
});
