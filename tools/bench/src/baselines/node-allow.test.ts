import { describe, expect, it } from 'vitest';
import { listenLocal } from '../testing/echo-upstream.ts';
import { createNodeAllow } from './node-allow.ts';

describe('Node allow-all server', () => {
  it('answers any method and path 200 with an empty body, keys or not', async () => {
    const server = createNodeAllow();
    const url = await listenLocal(server);
    try {
      for (const [method, path] of [
        ['GET', '/authz/api/v1/contacts?provider=hubspot'],
        ['POST', '/anything'],
        ['HEAD', '/'],
      ] as const) {
        const res = await fetch(`${url}${path}`, { method, headers: { authorization: 'Bearer not-a-key' } });
        expect([res.status, await res.text(), res.headers.get('content-length')]).toEqual([200, '', '0']);
      }
    } finally {
      server.close();
    }
  });
});
