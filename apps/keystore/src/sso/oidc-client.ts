import * as client from 'openid-client';
import type { Clock } from '../clock.ts';
import type { OidcConfig } from './oidc-config.ts';

export const OIDC_SCOPE = 'openid email profile';

/** The claims of a verified ID token that the login reads. */
export interface IdClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
}

export type ExchangeResult =
  | { ok: true; claims: IdClaims }
  /**
   * `unavailable`: discovery or the token endpoint did not answer; `provider_error`: the callback carries
   * the provider's `error`; `rejected`: the token endpoint refused the code (used twice, expired, wrong
   * verifier); `invalid_token`: the answer did not pass the ID token checks (nonce, issuer, audience, expiry).
   */
  | { ok: false; reason: 'unavailable' | 'provider_error' | 'rejected' | 'invalid_token'; detail: string };

/** One OpenID Provider, as the login flow uses it. */
export interface OidcClient {
  /** Where to send the browser; undefined while the provider cannot be discovered. */
  authorizationUrl(checks: { state: string; nonce: string; verifier: string }): Promise<URL | undefined>;
  /** Checks the callback and exchanges its code (with the PKCE verifier) for verified ID token claims. */
  exchange(
    callback: URLSearchParams,
    checks: { state: string; nonce: string; verifier: string },
  ): Promise<ExchangeResult>;
}

export interface OpenIdClientOptions {
  config: OidcConfig;
  clock: Clock;
  /** After a failed discovery, the next attempt waits this long (requests meanwhile answer `unavailable` at once). */
  retryAfterMs?: number;
  /** Seconds for each request to the provider. */
  timeoutSeconds?: number;
}

const DEFAULT_RETRY_MS = 5000;

/**
 * openid-client (panva) behind OidcClient. Discovery is lazy and retried: the
 * keystore starts and serves password logins while the provider is down, and
 * SSO works from the first login after the provider answers. Its errors are
 * turned into the few reasons above here, once.
 */
export class OpenIdClient implements OidcClient {
  readonly #o: OpenIdClientOptions;
  #configuration: Promise<client.Configuration> | undefined;
  #failedAt = Number.NEGATIVE_INFINITY;

  constructor(options: OpenIdClientOptions) {
    this.#o = options;
  }

  /** Starts discovery now (main calls it at start); never throws. */
  warmUp(): Promise<boolean> {
    return this.#discover().then(
      (found) => found !== undefined,
      () => false,
    );
  }

  async authorizationUrl(checks: { state: string; nonce: string; verifier: string }): Promise<URL | undefined> {
    const configuration = await this.#discover();
    if (configuration === undefined) return undefined;
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.#o.config.redirectUri,
      scope: OIDC_SCOPE,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
    });
  }

  async exchange(
    callback: URLSearchParams,
    checks: { state: string; nonce: string; verifier: string },
  ): Promise<ExchangeResult> {
    const configuration = await this.#discover();
    if (configuration === undefined) return { ok: false, reason: 'unavailable', detail: 'discovery failed' };
    // The redirect URI as registered, not as this request saw it behind a proxy.
    const current = new URL(this.#o.config.redirectUri);
    current.search = callback.toString();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) return { ok: false, reason: 'invalid_token', detail: 'no ID token' };
      if (claims.email !== undefined && claims.email_verified !== undefined) {
        return { ok: true, claims: { sub: claims.sub, email: claims.email, email_verified: claims.email_verified } };
      }
      // Some providers keep the email claims for the UserInfo endpoint when an access token is issued
      // (OIDC Core 5.4); the library checks that its `sub` is the ID token's.
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      return { ok: true, claims: { sub: claims.sub, email: info.email, email_verified: info.email_verified } };
    } catch (error) {
      return { ok: false, ...classify(error) };
    }
  }

  async #discover(): Promise<client.Configuration | undefined> {
    if (this.#configuration === undefined) {
      if (this.#o.clock.now() - this.#failedAt < (this.#o.retryAfterMs ?? DEFAULT_RETRY_MS)) return undefined;
      const { config } = this.#o;
      // HTTP Basic: what Okta, Entra ID, Google and Keycloak register a web application with by default.
      const auth = client.ClientSecretBasic(config.clientSecret);
      const attempt = client.discovery(new URL(config.issuer), config.clientId, undefined, auth, {
        timeout: this.#o.timeoutSeconds ?? 5,
        // Only ever true for a loopback issuer (oidc-config.ts refuses http:// anywhere else).
        ...(config.allowInsecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      this.#configuration = attempt;
      attempt.catch(() => {
        if (this.#configuration !== attempt) return;
        this.#configuration = undefined;
        this.#failedAt = this.#o.clock.now();
      });
    }
    try {
      return await this.#configuration;
    } catch {
      return undefined;
    }
  }
}

/** openid-client's (and oauth4webapi's) failures as our reasons; `detail` is an error code, never a token. */
function classify(error: unknown): { reason: Exclude<ExchangeResult, { ok: true }>['reason']; detail: string } {
  if (error instanceof client.AuthorizationResponseError)
    return { reason: 'provider_error', detail: error.error.slice(0, 64) };
  if (error instanceof client.ResponseBodyError) {
    return { reason: error.status >= 500 ? 'unavailable' : 'rejected', detail: error.error.slice(0, 64) };
  }
  if (error instanceof client.ClientError) return { reason: 'invalid_token', detail: error.code ?? 'client error' };
  return { reason: 'unavailable', detail: error instanceof Error ? error.name : 'unknown' };
}
