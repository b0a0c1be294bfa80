import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy } from '../testing/proxy-harness.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

describe('proxy shutdown', () => {
  it('finishes an in-flight proxied request, closing its connection, then stops', async () => {
    let release!: () => void;
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const upstream = await startRecordingUpstream({
      handler: (_req, res) => {
        release = () => res.end('late answer');
        arrived();
      },
    });
    const proxy = await startProxy({ upstreamUrl: upstream.url });
    const { key } = makeTestKey('live');
    proxy.verifier.add(key, { environment: 'live' });
    try {
      const pending = sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${key}` } });
      await reached;
      const stopped = proxy.servers.shutdown();
      release();
      const res = await pending;
      expect(res).toMatchObject({ status: 200, body: 'late answer' });
      expect(res.headers.connection).toBe('close');
      expect(await stopped).toBe('drained');
      expect(proxy.servers.server.listening).toBe(false);
      expect(proxy.servers.adminServer.listening).toBe(false);
    } finally {
      await upstream.close();
    }
  });
});
