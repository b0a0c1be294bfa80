import { describe, expect, it } from 'vitest';
import { normalisePermission, permissionProblem, permissionSyntaxProblem } from './permission.ts';

describe('permissionProblem', () => {
  it.each([
    'GET /api/v1/contacts',
    '* /api/v1/**',
    'get /api/v1/contacts',
    'PATCH /api/v1/contacts/*',
    'POST /api/*/items/**',
    'GET /',
    '* /**',
    'PURGE /cache',
    'GET /a/b%20c/d:e@f',
    '  GET   /api/v1/contacts  ',
    'GET /~user/caf%C3%A9',
    'GET /a;b/c;/x..',
    'GET /%252e%252e',
  ])('accepts %j', (text) => {
    expect(permissionProblem(text)).toBeUndefined();
  });

  it.each([
    ['GET', 'expected "METHOD /path"'],
    ['GET /a /b', 'expected "METHOD /path"'],
    ['G(ET /a', '"G(ET" is not an HTTP method or *'],
    ['GET api/v1', 'the path must start with /'],
    ['GET /api/**/contacts', '** is allowed only as the last segment'],
    ['GET /api//contacts', 'empty segment'],
    ['GET /api/', 'empty segment'],
    ['GET /api/../admin', '. or .. segments'],
    ['GET /api/./admin', '. or .. segments'],
    ['GET /api/a%2Fb', 'encoded slash'],
    ['GET /api/a%2fb', 'encoded slash'],
    ['GET /api?x=1', 'query or fragment'],
    ['GET /api/v*', '* must be a whole segment'],
    ['GET /api/a"b', 'is not a valid path segment'],
    ['GET /api/a%zz', 'is not a valid path segment'],
    ['GET /api/a\\b', 'is not a valid path segment'],
  ])('refuses %j', (text, problem) => {
    expect(permissionProblem(text)).toContain(problem);
  });

  // The proxy matches the canonical request path: these paths have none, so they could never match.
  it.each([
    ['GET /api/%2e%2e/admin', 'the path may not contain an encoded dot (%2E)'],
    ['GET /api/.%2E/admin', 'the path may not contain an encoded dot (%2E)'],
    ['GET /api/a%2eb', 'the path may not contain an encoded dot (%2E)'],
    ['GET /api/..;/admin', 'the path may not contain a . or .. segment with parameters (.;x, ..;, ..%3B)'],
    ['GET /api/..;jsessionid=1/admin', 'the path may not contain a . or .. segment with parameters (.;x, ..;, ..%3B)'],
    ['GET /api/.;x', 'the path may not contain a . or .. segment with parameters (.;x, ..;, ..%3B)'],
    ['GET /api/..%3B/admin', 'the path may not contain a . or .. segment with parameters (.;x, ..;, ..%3B)'],
    ['GET /api/.%3bx/**', 'the path may not contain a . or .. segment with parameters (.;x, ..;, ..%3B)'],
    ['GET /public%5Csecret', 'the path may not contain an encoded backslash (%5C)'],
    ['* /public%5csecret/**', 'the path may not contain an encoded backslash (%5C)'],
  ])('refuses %j, which has no canonical form', (text, problem) => {
    expect(permissionProblem(text)).toBe(problem);
  });

  it.each([
    ['GET /api/%7Euser', 'write it as /api/~user'],
    ['GET /%61pi/v1/**', 'write it as /api/v1/**'],
    ['GET /caf%c3%a9', 'write it as /caf%C3%A9'],
    ['PATCH /a/*/%3b', 'write it as /a/*/%3B'],
  ])('refuses %j, which canonicalisation would change, naming the canonical spelling', (text, spelling) => {
    expect(permissionProblem(text)).toBe(`the path is not in canonical form: ${spelling}`);
  });

  it.each(['GET /api/%7Euser', 'GET /api/%2e%2e/admin', 'GET /api/..;/admin', 'GET /public%5Csecret'])(
    'still reads %j as well-formed (a key saved before paths had to be canonical)',
    (text) => {
      expect(permissionSyntaxProblem(text)).toBeUndefined();
    },
  );
});

describe('normalisePermission', () => {
  it('upper-cases the method only and keeps one space', () => {
    expect(normalisePermission('  get   /api/V1/Contacts ')).toBe('GET /api/V1/Contacts');
    expect(normalisePermission('* /api/**')).toBe('* /api/**');
  });
});
