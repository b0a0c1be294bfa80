import { describe, expect, it } from 'vitest';
import { Router, type Route } from './router.ts';

const route = (method: string, pattern: string): Route => ({
  method,
  pattern,
  access: 'public',
  handle: () => 'handled',
});

describe('Router', () => {
  const routes = [
    route('GET', '/v1/keys'),
    route('POST', '/v1/keys'),
    route('GET', '/v1/keys/:id'),
    route('POST', '/v1/keys/:id/roll'),
  ];
  const router = new Router(routes);

  it('matches literal and captured segments', () => {
    expect(router.match('GET', '/v1/keys/key_1')).toEqual({ kind: 'found', route: routes[2], params: { id: 'key_1' } });
    expect(router.match('POST', '/v1/keys/key_1/roll')).toMatchObject({ kind: 'found', params: { id: 'key_1' } });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(router.match('DELETE', '/v1/keys')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'POST'] });
    expect(router.match('GET', '/v1/keys/')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/v1/keys/a/b')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/v1')).toEqual({ kind: 'not_found' });
  });
});
