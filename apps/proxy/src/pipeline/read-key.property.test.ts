import { parse } from '@routemcp/api-key';
import { makeTestKey } from '@routemcp/api-key/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readKey as readKeyFromHead } from './read-key.ts';
import { readHead } from './request-head.ts';

const readKey = (raw: readonly string[]) => readKeyFromHead(readHead(raw));

const key = makeTestKey('live').key;

/** Header names a client can send, weighted towards the ones that matter here. */
const name = fc.oneof(
  fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn', 'Proxy-Authorization'),
  fc.constantFrom('Authorisation', 'Authorization ', 'X-Authorization', 'authorization_', 'Host', 'Cookie'),
  fc.string({ minLength: 1, maxLength: 20 }),
);
/** Values around the valid one: the key itself, pieces of it, look-alikes and noise (any code points). */
const value = fc.oneof(
  fc.constantFrom(`Bearer ${key}`, key, 'Bearer', 'Bearer ', `Bearer  ${key}`, `Basic ${key}`, `Bearer ${key} `),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}Bearer ${key}${b}`),
  fc
    .tuple(fc.nat(key.length), fc.string({ unit: 'grapheme', maxLength: 3 }))
    .map(([at, insert]) => `Bearer ${key.slice(0, at)}${insert}${key.slice(at)}`),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
const rawHeaders = fc.array(fc.tuple(name, value), { maxLength: 8 }).map((pairs) => pairs.flat());

describe('readKey properties', () => {
  it('never throws, and accepts only one Authorization header holding exactly "Bearer <well-formed key>"', () => {
    fc.assert(
      fc.property(rawHeaders, (raw) => {
        const result = readKey(raw);
        const auth = [];
        for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') auth.push(raw[i + 1]!);
        const exact = auth.length === 1 && /^bearer [^ ]/i.test(auth[0]!) ? auth[0]!.slice(7) : null;
        const expected = exact !== null && parse(exact).ok;
        expect(result.ok).toBe(expected);
        if (result.ok) expect(result.key).toBe(exact);
      }),
      { numRuns: 3_000 },
    );
  });

  it('finds the one valid header among any number of unrelated ones, whatever the scheme case', () => {
    const unrelated = fc.array(
      fc.tuple(
        fc.string({ minLength: 1, maxLength: 20 }).filter((n) => n.toLowerCase() !== 'authorization'),
        fc.string({ unit: 'binary', maxLength: 40 }),
      ),
      { maxLength: 10 },
    );
    const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR');
    fc.assert(
      fc.property(unrelated, unrelated, scheme, (before, after, bearer) => {
        const raw = [...before.flat(), 'Authorization', `${bearer} ${key}`, ...after.flat()];
        expect(readKey(raw)).toEqual({ ok: true, key, environment: 'live' });
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses every single-character edit of a valid header value except the scheme case', () => {
    const valid = `Bearer ${key}`;
    fc.assert(
      fc.property(fc.nat(valid.length), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), (at, char) => {
        const edited = valid.slice(0, at) + char + valid.slice(at + 1);
        fc.pre(edited.toLowerCase() !== valid.toLowerCase() || at >= 6);
        fc.pre(edited !== valid);
        expect(readKey(['Authorization', edited]).ok).toBe(false);
        expect(readKey(['Authorization', valid.slice(0, at) + char + valid.slice(at)]).ok).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });
});
