import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { docBlocks, schemaProblems, TRAEFIK_DYNAMIC } from './testing/index.ts';

/**
 * The Traefik example of docs/forward-auth.md against the keys Traefik's own
 * Go types read (testing/traefik-dynamic-schema.ts names the source). No
 * Traefik binary is installable here (Debian ships only its yaegi
 * interpreter library).
 */
const [block, ...others] = docBlocks('docs/forward-auth.md').filter((b) => b.kind?.of === 'traefik');
type Tree = Record<string, unknown>;
const config = parse(block!.text) as { http: { middlewares: Tree; routers: Tree; services: Tree } };

describe('the Traefik example in docs/forward-auth.md', () => {
  it('is one block, and every key is one Traefik reads', () => {
    expect(others).toEqual([]);
    expect(schemaProblems(TRAEFIK_DYNAMIC, config)).toEqual([]);
  });

  it('asks /authz, replaces the client’s X-Forwarded-* with its own, and copies the five identity headers up', () => {
    const forwardAuth = (config.http.middlewares['routemcp-auth'] as { forwardAuth: Tree }).forwardAuth;
    expect(forwardAuth['address']).toMatch(/^http:\/\/[^/]+\/authz$/);
    // pkg/middlewares/auth/forward.go writeHeader: with false, the client's
    // X-Forwarded-* are deleted and Traefik sets X-Forwarded-Method/-Uri/-For
    // from the request itself; unset, it warns and keeps some of the client's.
    expect(forwardAuth['trustForwardHeader']).toBe(false);
    // authResponseHeaders replace the client's headers of the same names (ForwardAuth's doc comment).
    expect(forwardAuth['authResponseHeaders']).toEqual([
      'X-RouteMCP-Key-Id',
      'X-RouteMCP-Account-Id',
      'X-RouteMCP-Environment',
      'X-RouteMCP-Owner-Id',
      'X-RouteMCP-Key-Meta',
    ]);
  });

  it('removes the key only after the check has read it', () => {
    const drop = config.http.middlewares['routemcp-drop-key'] as { headers: { customRequestHeaders: Tree } };
    // An empty value removes the header (Headers.CustomRequestHeaders).
    expect(drop.headers.customRequestHeaders).toEqual({ Authorization: '' });
    const routers = Object.values(config.http.routers) as { middlewares: string[]; service: string }[];
    for (const router of routers) {
      expect(router.middlewares).toEqual(['routemcp-auth', 'routemcp-drop-key']);
      expect(config.http.services).toHaveProperty(router.service);
    }
  });

  it('the check fails on a key Traefik does not read, naming it', () => {
    const copy = structuredClone(config);
    const forwardAuth = (copy.http.middlewares['routemcp-auth'] as { forwardAuth: Tree }).forwardAuth;
    forwardAuth['authResponseHeader'] = forwardAuth['authResponseHeaders'];
    delete forwardAuth['authResponseHeaders'];
    expect(schemaProblems(TRAEFIK_DYNAMIC, copy)).toEqual([
      '$.http.middlewares.routemcp-auth.forwardAuth.authResponseHeader: no such field',
    ]);
  });
});
