import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalForm, canonicalTarget, isCanonical, pathOf, type CanonicalTarget } from './canonical-target.ts';
import { plainPathProblem } from './testing.ts';

describe('canonicalTarget', () => {
  it.each([
    ['/api/v1/contacts?provider=hubspot', '/api/v1/contacts?provider=hubspot'],
    ['/', '/'],
    ['/a//b///c', '/a/b/c'],
    ['/a/./b/.', '/a/b/'],
    ['/./a', '/a'],
    ['/a/b/../c', '/a/c'],
    ['/a/b/..', '/a/'],
    ['/a/..', '/'],
    ['/a//', '/a/'],
    ['/a/.//b', '/a/b'],
    ['/%61pi/%7Euser', '/api/~user'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a%20b', '/a%20b'],
    ['/a%3bb', '/a%3Bb'],
    ['/%252e%252e', '/%252e%252e'],
    ['/a;b/c;', '/a;b/c;'],
    ['/x../...', '/x../...'],
    ['/a/../b?q=/../%2e%2e&r=//x\\y', '/b?q=/../%2e%2e&r=//x\\y'],
    ['/a?', '/a?'],
    ['/a/./b?', '/a/b?'],
    ['/?', '/?'],
  ])('brings %s to %s', (input, expected) => {
    expect(canonicalTarget(input)).toBe(expected);
  });

  it.each([
    ['leading //', '//public/api/v1/contacts', 'leading-double-slash'],
    ['leading // alone', '//', 'leading-double-slash'],
    ['dot-dot with parameters', '/api/v1/deals/..;/contacts', 'dot-segment-parameters'],
    ['dot-dot with a session id', '/a/..;jsessionid=1/b', 'dot-segment-parameters'],
    ['dot with parameters', '/a/.;x/b', 'dot-segment-parameters'],
    ['dot-dot with an encoded ;', '/a/..%3B/b', 'dot-segment-parameters'],
    ['dot with an encoded ; in lower case', '/a/.%3bx', 'dot-segment-parameters'],
    ['encoded slash', '/public%2f..%2fsecret', 'encoded-slash'],
    ['encoded slash in upper case', '/a%2Fb', 'encoded-slash'],
    ['encoded backslash', '/public%5csecret', 'encoded-backslash'],
    ['encoded dot segment', '/public/%2e%2e/secret', 'encoded-dot'],
    ['half-encoded dot segment', '/public/.%2E/secret', 'encoded-dot'],
    ['encoded dot anywhere', '/a%2eb', 'encoded-dot'],
    ['raw backslash', '/public\\..\\secret', 'backslash'],
    ['fragment', '/public/x#/../../admin', 'fragment'],
    ['fragment after the query', '/a?x#y', 'fragment'],
    ['above the root', '/../secret', 'above-root'],
    ['above the root, later', '/a/../../b', 'above-root'],
    ['bad escape', '/a%zz', 'bad-escape'],
    ['truncated escape', '/a%2', 'bad-escape'],
    ['escape at the end', '/a%', 'bad-escape'],
    ['absolute form', 'http://evil/', 'not-origin-form'],
    ['asterisk form', '*', 'not-origin-form'],
    ['relative', 'a/b', 'not-origin-form'],
    ['empty', '', 'not-origin-form'],
  ])('refuses %s, saying why', (_name, input, refused) => {
    expect(canonicalTarget(input)).toBeNull();
    expect(canonicalForm(input)).toEqual({ ok: false, refused });
  });

  it('says which targets are already canonical', () => {
    expect(isCanonical('/api/v1/contacts?x=1')).toBe(true);
    expect(isCanonical('/api/v1/%63ontacts')).toBe(false);
    expect(isCanonical('/api//v1')).toBe(false);
    expect(isCanonical('//api')).toBe(false);
    expect(isCanonical('/a%c3')).toBe(false);
  });

  it('splits off the query', () => {
    expect(pathOf('/a/b?c=/d?e' as CanonicalTarget)).toBe('/a/b');
    expect(pathOf('/a/b' as CanonicalTarget)).toBe('/a/b');
  });
});

/** Pieces of targets that upstream parsers read in more than one way. */
const PIECES = [
  '/',
  '//',
  '.',
  '..',
  ';',
  '..;',
  '.;',
  'a',
  'b',
  '~',
  '%2e',
  '%2E',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%3b',
  '%3B',
  '%61',
  '%7e',
  '%c3',
  '%20',
  '%25',
  '%',
  '%z',
  '\\',
  '#',
  '?',
  '=',
  'x',
];
const target = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((pieces) => `/${pieces.join('')}`);

describe('canonicalTarget properties', () => {
  it('gives either a refusal or a plain path, the same again when canonicalised again, with the query untouched', () => {
    fc.assert(
      fc.property(target, (input) => {
        const output = canonicalTarget(input);
        if (output === null) return;
        expect(plainPathProblem(output)).toBeNull();
        for (const [escape] of pathOf(output).matchAll(/%../g)) {
          expect(escape).toMatch(/^%[0-9A-F]{2}$/);
          expect(String.fromCharCode(Number.parseInt(escape.slice(1), 16))).not.toMatch(/[A-Za-z0-9._~-]/);
        }
        expect(canonicalTarget(output)).toBe(output);
        expect(isCanonical(output)).toBe(true);
        const query = input.indexOf('?');
        expect(output.slice(pathOf(output).length)).toBe(query === -1 ? '' : input.slice(query));
      }),
      { numRuns: 5_000 },
    );
  });

  it('canonicalForm agrees with canonicalTarget on every target', () => {
    fc.assert(
      fc.property(target, (input) => {
        const form = canonicalForm(input);
        expect(form.ok ? form.target : null).toBe(canonicalTarget(input));
      }),
      { numRuns: 5_000 },
    );
  });

  it('leaves a target with no %, //, /., \\, ; or # as it is', () => {
    const simple = fc.stringMatching(/^(\/[A-Za-z0-9_~.-]*)+(\?[ -~]*)?$/).filter((t) => !/\/\.|\/\/|#/.test(t));
    fc.assert(
      fc.property(simple, (input) => {
        expect(canonicalTarget(input)).toBe(input);
      }),
      { numRuns: 2_000 },
    );
  });
});
