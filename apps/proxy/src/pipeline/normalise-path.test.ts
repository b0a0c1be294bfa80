import { describe, expect, it } from 'vitest';
import { normalisePath } from './normalise-path.ts';

describe('normalisePath', () => {
  it.each([
    ['/api/v1/contact?provider=hubspot', '/api/v1/contact'],
    ['/', '/'],
    ['/a//b///c', '/a/b/c'],
    ['/a/./b/.', '/a/b/'],
    ['/a/b/../c', '/a/c'],
    ['/a/b/..', '/a/'],
    ['/%61pi/%7Euser', '/api/~user'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a%20b', '/a%20b'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalisePath(input)).toBe(expected);
  });

  it.each([
    ['encoded slash', '/public%2f..%2fsecret'],
    ['encoded backslash', '/public%5csecret'],
    ['encoded dot segment', '/public/%2e%2e/secret'],
    ['raw backslash', '/public\\..\\secret'],
    ['above the root', '/../secret'],
    ['bad escape', '/a%zz'],
    ['truncated escape', '/a%2'],
    ['absolute form', 'http://evil/'],
    ['asterisk form', '*'],
  ])('refuses %s', (_name, input) => {
    expect(normalisePath(input)).toBeNull();
  });
});
