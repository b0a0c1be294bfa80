import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../testing/fake-clock.ts';
import { ssoConfig } from '../testing/fake-oidc-client.ts';
import { OpenIdClient } from './oidc-client.ts';

interface Provider {
  issuer: string;
  server: Server;
  /** Discovery answers 503 while true. */
  down: boolean;
  discoveries: number;
  /** The token endpoint's answer. */
  token: { status: number; body: unknown };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** Just enough of an OpenID Provider on 127.0.0.1: discovery and a scripted token endpoint. */
async function provider(): Promise<Provider> {
  const p: Provider = {
    issuer: '',
    server: createServer((req, res) => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/.well-known/openid-configuration') {
        p.discoveries++;
        if (p.down) return json(503, { error: 'down' });
        return json(200, {
          issuer: p.issuer,
          authorization_endpoint: `${p.issuer}/auth`,
          token_endpoint: `${p.issuer}/token`,
          jwks_uri: `${p.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (req.url === '/token') {
        req.resume();
        return req.on('end', () => json(p.token.status, p.token.body));
      }
      json(404, {});
    }),
    down: true,
    discoveries: 0,
    token: { status: 400, body: { error: 'invalid_grant' } },
  };
  servers.push(p.server);
  await new Promise<void>((done) => p.server.listen(0, '127.0.0.1', done));
  p.issuer = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
  return p;
}

const checks = { state: 'state-value', nonce: 'nonce-value', verifier: 'v'.repeat(43) };

describe('OpenIdClient', () => {
  it('discovers lazily, waits 5 s after a failure, then retries and keeps what it found', async () => {
    const idp = await provider();
    const clock = fakeClock();
    const client = new OpenIdClient({ config: ssoConfig({ issuer: idp.issuer, allowInsecure: true }), clock });
    expect(idp.discoveries).toBe(0);
    expect(await client.warmUp()).toBe(false);
    expect(idp.discoveries).toBe(1);

    idp.down = false;
    expect(await client.authorizationUrl(checks)).toBeUndefined();
    expect(idp.discoveries).toBe(1);
    clock.advance(5000);
    const url = await client.authorizationUrl(checks);
    expect(idp.discoveries).toBe(2);
    expect(url?.origin + (url?.pathname ?? '')).toBe(`${idp.issuer}/auth`);
    const challenge = createHash('sha256').update(checks.verifier).digest('base64url');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      client_id: 'routemcp',
      redirect_uri: 'http://127.0.0.1/login/oidc/callback',
      response_type: 'code',
      scope: 'openid email profile',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await client.authorizationUrl(checks);
    expect(idp.discoveries).toBe(2);
  });

  it('turns the provider refusing a code into `rejected` and an error callback into `provider_error`', async () => {
    const idp = await provider();
    idp.down = false;
    const client = new OpenIdClient({
      config: ssoConfig({ issuer: idp.issuer, allowInsecure: true }),
      clock: fakeClock(),
    });
    const code = new URLSearchParams({ code: 'used-code', state: checks.state });
    expect(await client.exchange(code, checks)).toEqual({ ok: false, reason: 'rejected', detail: 'invalid_grant' });
    const denied = new URLSearchParams({ error: 'access_denied', state: checks.state });
    expect(await client.exchange(denied, checks)).toEqual({
      ok: false,
      reason: 'provider_error',
      detail: 'access_denied',
    });
  });

  it('refuses to talk to an http:// issuer unless the config allows it (loopback only)', async () => {
    const idp = await provider();
    idp.down = false;
    const client = new OpenIdClient({ config: ssoConfig({ issuer: idp.issuer }), clock: fakeClock() });
    expect(await client.authorizationUrl(checks)).toBeUndefined();
    expect(idp.discoveries).toBe(0);
  });
});
