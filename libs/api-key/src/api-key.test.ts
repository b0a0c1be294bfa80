import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKSUM_LENGTH, KEY_LENGTH, generate, hash, hint, parse, redact, type Environment } from './api-key.ts';
import { nearMiss } from './testing.ts';
import { BASE62 } from './base62.ts';

const environments = fc.constantFrom('live' as const, 'test' as const);

describe('generate/parse', () => {
  it('every generated key parses to its environment', () => {
    fc.assert(
      fc.property(environments, (environment) => {
        const key = generate(environment);
        expect(key).toMatch(new RegExp(`^sk_${environment}_[0-9A-Za-z]{38}$`));
        expect(parse(key)).toEqual({ ok: true, environment });
      }),
      { numRuns: 500 },
    );
  });

  it('rejects every single-character change', () => {
    fc.assert(
      fc.property(
        environments,
        fc.nat(),
        fc.constantFrom(...BASE62, '_', '-', ' ', 'é'),
        (environment, at, replacement) => {
          const key = generate(environment);
          const index = at % key.length;
          fc.pre(key[index] !== replacement);
          const changed = key.slice(0, index) + replacement + key.slice(index + 1);
          expect(parse(changed).ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects random strings, including ones with the right prefix and length', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: fc.constantFrom(...BASE62), minLength: 38, maxLength: 38 }).map((s) => `sk_live_${s}`),
          fc.string({ unit: fc.constantFrom(...BASE62), minLength: 38, maxLength: 38 }).map((s) => `sk_test_${s}`),
        ),
        (text) => {
          // 1 in 2^32 random bodies has a matching checksum; fast-check will not find it in 1000 runs.
          expect(parse(text).ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('says why a key is malformed', () => {
    const key = generate('live');
    expect(parse('pk_live_abc')).toEqual({ ok: false, reason: 'prefix' });
    expect(parse(key.slice(0, -1))).toEqual({ ok: false, reason: 'length' });
    expect(parse(`${key.slice(0, -7)}!${key.slice(-6)}`)).toEqual({ ok: false, reason: 'alphabet' });
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    expect(parse(key.slice(0, -1) + last)).toEqual({ ok: false, reason: 'checksum' });
    expect(key).toHaveLength(KEY_LENGTH);
  });
});

describe('hash', () => {
  it('is SHA-256 hex and differs per key', () => {
    const a = generate('test');
    expect(hash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(a)).toBe(hash(a));
    expect(hash(a)).not.toBe(hash(generate('test')));
  });

  it('matches the FIPS 180-2 SHA-256 test vector (stored hashes depend on it)', () => {
    expect(hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('hint', () => {
  it('is the prefix and the last four characters', () => {
    const key = generate('live');
    expect(hint(key)).toBe(`sk_live_…${key.slice(-4)}`);
  });
});

describe('redact', () => {
  it('leaves no full key in text', () => {
    const key = generate('test');
    const text = `Authorization: Bearer ${key} failed`;
    expect(redact(text)).toBe(`Authorization: Bearer ${hint(key)} failed`);
    expect(redact(text)).not.toContain(key);
  });
});

describe('nearMiss (testing helper)', () => {
  it('keeps prefix and length, changes the last random character, and still parses', () => {
    fc.assert(
      fc.property(fc.constantFrom<Environment>('live', 'test'), (environment) => {
        const key = generate(environment);
        const near = nearMiss(key);
        expect(parse(near)).toEqual({ ok: true, environment });
        expect(near).toHaveLength(key.length);
        expect(near.slice(0, KEY_LENGTH - CHECKSUM_LENGTH - 1)).toBe(key.slice(0, KEY_LENGTH - CHECKSUM_LENGTH - 1));
        expect(near.at(-CHECKSUM_LENGTH - 1)).not.toBe(key.at(-CHECKSUM_LENGTH - 1));
      }),
      { numRuns: 200 },
    );
  });
});
