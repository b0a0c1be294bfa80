import { describe, expect, it } from 'vitest';
import { normalisePermission, permissionProblem } from './permission.ts';

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
  ])('refuses %j', (text, problem) => {
    expect(permissionProblem(text)).toContain(problem);
  });
});

describe('normalisePermission', () => {
  it('upper-cases the method only and keeps one space', () => {
    expect(normalisePermission('  get   /api/V1/Contacts ')).toBe('GET /api/V1/Contacts');
    expect(normalisePermission('* /api/**')).toBe('* /api/**');
  });
});
