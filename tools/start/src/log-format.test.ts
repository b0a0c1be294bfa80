import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-format.ts';

describe('formatLogLine', () => {
  it('turns a pino line into time, level, message and fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      pid: 1,
      hostname: 'h',
      app: 'api',
      msg: 'request',
      method: 'GET',
      path: '/api/v1/contacts',
      statusCode: 200,
      note: 'two words',
      address: { port: 1 },
    });
    expect(formatLogLine('api', line)).toBe(
      'api      | 03:04:05.678 info  request method=GET path=/api/v1/contacts statusCode=200 note="two words" address={"port":1}',
    );
  });

  it('keeps an error on one line with its type, message and first frame', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'boom',
      err: {
        type: 'TypeError',
        message: 'x is undefined',
        stack: 'TypeError: x is undefined\n    at f (/a.ts:1:2)\n    at g',
      },
    });
    const text = formatLogLine('proxy', line);
    expect(text).not.toContain('\n');
    expect(text).toContain('error boom err="TypeError: x is undefined (at f (/a.ts:1:2))"');
  });

  it('passes other output through, prefixed', () => {
    expect(formatLogLine('keystore', 'plain text')).toBe('keystore | plain text');
    expect(formatLogLine('keystore', '{not json')).toBe('keystore | {not json');
  });

  it('reduces anything key-shaped to its hint', () => {
    const { key, hint } = makeTestKey('live');
    const text = formatLogLine('proxy', JSON.stringify({ level: 40, time: 0, msg: `saw ${key}` }));
    expect(text).not.toContain(key);
    expect(text).toContain(hint);
    expect(formatLogLine('proxy', `raw ${key}`)).not.toContain(key);
  });
});
