import { describe, expect, it } from 'vitest';
import { startEchoUpstream, type Echo } from './echo-upstream.ts';
import { TEST_KEY, TEST_RECORD, type FakeKeystore } from './fake-keystore.ts';
import type { StartedBaseline } from './forwarding-contract.ts';

/**
 * What the gateway peers (naive, fastify) must do besides forwarding, so that their
 * figures price the same work as the proxy's: refuse a missing or unknown
 * key before the upstream, forward the identity headers and not the key, and
 * look a key up once, then from their cache.
 */
export function runGatewayContract(
  keystore: () => FakeKeystore,
  start: (upstreamUrl: string) => Promise<StartedBaseline>,
): void {
  describe('gateway contract', () => {
    it('refuses a missing or unknown key with 401 and never reaches the upstream', async () => {
      await using upstream = await startEchoUpstream();
      await using gateway = await start(upstream.url);
      const missing = await fetch(`${gateway.url}/x`);
      const unknown = await fetch(`${gateway.url}/x`, {
        headers: { authorization: `Bearer sk_live_${'b'.repeat(40)}` },
      });
      expect([missing.status, unknown.status]).toEqual([401, 401]);
      expect(((await unknown.json()) as { code: string }).code).toBe('INVALID_API_KEY');
      expect(upstream.seen).toHaveLength(0);
    });

    it('forwards the identity headers instead of the key, and looks the key up once', async () => {
      await using upstream = await startEchoUpstream();
      await using gateway = await start(upstream.url);
      const before = keystore().lookups();
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${gateway.url}/x`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
        expect(res.status).toBe(200);
        const echo = (await res.json()) as Echo;
        expect(echo.headers).toMatchObject({
          'x-routemcp-key-id': TEST_RECORD.id,
          'x-routemcp-account-id': TEST_RECORD.accountId,
          'x-routemcp-environment': TEST_RECORD.environment,
        });
        expect(echo.headers.authorization).toBeUndefined();
      }
      expect(keystore().lookups() - before).toBe(1);
    });
  });
}
