import type { ExchangeResult, IdClaims, OidcClient } from '../sso/oidc-client.ts';
import type { OidcConfig } from '../sso/oidc-config.ts';

export const FAKE_IDP = 'https://idp.test';

export interface FakeOidcClient extends OidcClient {
  /** What the next exchange answers; set per test. */
  answer: ExchangeResult;
  /** false: discovery fails (the provider is down). */
  reachable: boolean;
  /** Every exchange asked for, with the checks it was given. */
  exchanges: { callback: URLSearchParams; checks: { state: string; nonce: string; verifier: string } }[];
}

export const verified = (email: string): IdClaims => ({ sub: `sub-${email}`, email, email_verified: true });

/** An OpenID Provider that hands back whatever the test scripts, and records what it was asked. */
export function fakeOidcClient(): FakeOidcClient {
  const fake: FakeOidcClient = {
    answer: { ok: true, claims: verified('dev@example.com') },
    reachable: true,
    exchanges: [],
    async authorizationUrl(checks) {
      if (!fake.reachable) return undefined;
      const url = new URL(`${FAKE_IDP}/authorize`);
      url.searchParams.set('state', checks.state);
      url.searchParams.set('nonce', checks.nonce);
      return url;
    },
    async exchange(callback, checks) {
      fake.exchanges.push({ callback, checks });
      if (!fake.reachable) return { ok: false, reason: 'unavailable', detail: 'discovery failed' };
      return fake.answer;
    },
  };
  return fake;
}

export const ssoConfig = (overrides: Partial<OidcConfig> = {}): OidcConfig => ({
  issuer: FAKE_IDP,
  clientId: 'routemcp',
  clientSecret: 'client-secret-for-tests-0001',
  redirectUri: 'http://127.0.0.1/login/oidc/callback',
  defaultRole: 'viewer',
  allowedDomains: [],
  allowInsecure: false,
  ...overrides,
});
