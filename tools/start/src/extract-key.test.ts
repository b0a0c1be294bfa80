import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { extractKey } from './extract-key.ts';

describe('extractKey', () => {
  const { key } = makeTestKey('test');

  it('reads data.key from the success envelope', () => {
    const output = JSON.stringify({ success: true, data: { id: 'key_1', key, hint: 'x' } });
    expect(extractKey(output)).toBe(key);
  });

  it('reads a top-level key, pretty-printed JSON, and JSON among log lines', () => {
    expect(extractKey(JSON.stringify({ key }))).toBe(key);
    expect(extractKey(JSON.stringify({ result: { created: [{ key }] } }, null, 2))).toBe(key);
    expect(extractKey(`migrating database\n{"level":30,"msg":"opened"}\n${JSON.stringify({ data: { key } })}\n`)).toBe(
      key,
    );
  });

  it('ignores key fields that are not well-formed keys', () => {
    expect(extractKey(JSON.stringify({ data: { key: 'sk_test_nope', other: { key: 42 } } }))).toBeUndefined();
  });

  it('finds nothing in non-JSON output', () => {
    expect(extractKey('')).toBeUndefined();
    expect(extractKey(`created ${key}`)).toBeUndefined();
  });
});
