import { describe, expect, it } from 'vitest';
import { BIG_BODY_BYTES, startEchoUpstream, type Echo, type EchoUpstream } from './echo-upstream.ts';

export interface StartedBaseline extends AsyncDisposable {
  url: string;
  /** Sent with every request (the bench key, for gateways that check one). */
  headers: Record<string, string>;
}

/**
 * What every baseline must do for its figures to mean anything: forward a
 * GET and a POST body to the upstream and hand back the upstream's status,
 * headers and body, whole even when it is larger than a socket buffer. A
 * baseline that answered everything with its own 502 would otherwise
 * "measure" a fast error path.
 */
export function runForwardingContract(start: (upstreamUrl: string) => Promise<StartedBaseline>): void {
  describe('forwarding contract', () => {
    const through = async (run: (upstream: EchoUpstream, baseline: StartedBaseline) => Promise<void>) => {
      await using upstream = await startEchoUpstream();
      await using baseline = await start(upstream.url);
      await run(upstream, baseline);
    };

    it('forwards a GET with its query and returns the upstream status, headers and body', () =>
      through(async (upstream, baseline) => {
        const res = await fetch(`${baseline.url}/api/v1/contacts?provider=hubspot`, {
          headers: { ...baseline.headers, 'x-client': 'one' },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-upstream')).toBe('echo');
        expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
        const echo = (await res.json()) as Echo;
        expect(echo).toMatchObject({ method: 'GET', url: '/api/v1/contacts?provider=hubspot', body: '' });
        expect(echo.headers['x-client']).toBe('one');
        expect(upstream.seen).toHaveLength(1);
      }));

    it('forwards a POST body', () =>
      through(async (upstream, baseline) => {
        const body = JSON.stringify({ note: 'é and more' });
        const res = await fetch(`${baseline.url}/api/v1/notes`, {
          method: 'POST',
          headers: { ...baseline.headers, 'content-type': 'application/json' },
          body,
        });
        expect(res.status).toBe(201);
        expect(((await res.json()) as Echo).body).toBe(body);
        expect(upstream.seen[0]).toMatchObject({ method: 'POST', body });
      }));

    it('streams a body larger than a socket buffer whole', () =>
      through(async (_upstream, baseline) => {
        const res = await fetch(`${baseline.url}/big`, { headers: baseline.headers });
        expect(res.status).toBe(200);
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(bytes.length).toBe(BIG_BODY_BYTES);
        expect(bytes.every((byte) => byte === 0x78)).toBe(true);
      }));
  });
}
