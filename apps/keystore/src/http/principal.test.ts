import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerTokenResolver, resolvePrincipal, type PrincipalResolver } from './principal.ts';

const req = (authorization?: string) => ({ headers: { authorization } }) as unknown as IncomingMessage;

describe('bearerTokenResolver', () => {
  const resolve = bearerTokenResolver('admin-token-0123456789', { kind: 'operator' });

  it('accepts the token with a case-insensitive scheme', () => {
    expect(resolve(req('Bearer admin-token-0123456789'))).toEqual({ kind: 'operator' });
    expect(resolve(req('bearer admin-token-0123456789'))).toEqual({ kind: 'operator' });
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer admin-token-012345678',
    'Bearer admin-token-0123456789x',
    'Basic admin-token-0123456789',
    'Bearer a b',
  ])('rejects %j', (header) => {
    expect(resolve(req(header))).toBeUndefined();
  });
});

describe('resolvePrincipal', () => {
  it('asks each resolver in turn, so a session resolver can be added beside the token', async () => {
    const session: PrincipalResolver = (r) =>
      r.headers.authorization === 'session' ? { kind: 'operator' } : undefined;
    const resolvers = [bearerTokenResolver('admin-token-0123456789', { kind: 'operator' }), session];
    expect(await resolvePrincipal(resolvers, req('session'))).toEqual({ kind: 'operator' });
    expect(await resolvePrincipal(resolvers, req('nothing'))).toBeUndefined();
    expect(await resolvePrincipal([], req('Bearer admin-token-0123456789'))).toBeUndefined();
  });
});
