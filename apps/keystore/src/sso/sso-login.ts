import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { AccountStore } from '../accounts/account-store.ts';
import { normalizeEmail } from '../accounts/login-service.ts';
import type { Session, SessionService } from '../accounts/session-service.ts';
import type { SsoMembers } from '../accounts/sso-members.ts';
import type { Clock } from '../clock.ts';
import type { FlowCookie } from './flow-cookie.ts';
import type { OidcClient } from './oidc-client.ts';
import type { OidcConfig } from './oidc-config.ts';

/** Long enough to type a password at the provider, short enough that a forgotten tab's flow dies. */
export const FLOW_TTL_MS = 10 * 60_000;

export type SsoRefusal =
  /** The provider cannot be reached or discovered. */
  | 'unavailable'
  /** No flow cookie, an expired or foreign one, or a `state` that is not this browser's. */
  | 'state'
  /** The provider answered the callback with an error (the person cancelled, consent refused). */
  | 'provider_error'
  /** The provider refused the code: used before, expired, or not ours. */
  | 'rejected'
  /** The ID token did not pass the checks (nonce, issuer, audience, expiry). */
  | 'invalid_token'
  | 'no_email'
  | 'unverified_email'
  /** The email's domain is not in KEYSTORE_OIDC_ALLOWED_DOMAINS. */
  | 'domain'
  /** The member could not be found or created. */
  | 'member_refused';

export type SsoStart = { ok: true; redirectTo: URL; flowCookie: string } | { ok: false; reason: 'unavailable' };

export type SsoResult =
  { ok: true; token: string; session: Session; email: string; created: boolean } | { ok: false; reason: SsoRefusal };

export interface SsoLoginOptions {
  config: Pick<OidcConfig, 'defaultRole' | 'allowedDomains'>;
  client: OidcClient;
  flows: FlowCookie;
  members: SsoMembers;
  sessions: SessionService;
  accounts: AccountStore;
  clock: Clock;
  /** The account SSO signs in to: its audit log gets the failures too, so its owners see them. */
  accountId: string;
  /** Where the provider's own error codes go (`invalid_client` says the secret is wrong); unset: nowhere. */
  logger?: Pick<Logger, 'warn'>;
}

/**
 * The authorization code flow with PKCE, `state` and `nonce`, from the
 * keystore's side: `begin` picks the three secrets and seals them for the
 * browser, `complete` checks the callback against them, then lets the
 * verified email in as a member and starts a normal dashboard session.
 * Every outcome of `complete` lands in the audit log (`login.sso`, or
 * `login.sso.failed` with the reason as its target; never a code or a token).
 */
export class SsoLogin {
  readonly #o: SsoLoginOptions;

  constructor(options: SsoLoginOptions) {
    this.#o = options;
  }

  async begin(): Promise<SsoStart> {
    const checks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    };
    const redirectTo = await this.#o.client.authorizationUrl(checks);
    if (redirectTo === undefined) return { ok: false, reason: 'unavailable' };
    const flowCookie = this.#o.flows.seal({ ...checks, expiresAt: this.#o.clock.now() + FLOW_TTL_MS });
    return { ok: true, redirectTo, flowCookie };
  }

  async complete(callback: URLSearchParams, flowCookie: string | undefined, address: string): Promise<SsoResult> {
    const result = await this.#complete(callback, flowCookie);
    await this.#o.accounts.appendAudit({
      accountId: result.ok ? result.accountId : this.#o.accountId,
      actor: (result.email ?? 'sso').slice(0, 254),
      action: result.ok ? 'login.sso' : 'login.sso.failed',
      target: result.ok ? (result.created ? `new member (${result.role})` : null) : result.reason,
      address,
      at: this.#o.clock.now(),
    });
    if (!result.ok) return { ok: false, reason: result.reason };
    // The Team page's "last login" counts SSO logins too.
    await this.#o.accounts.recordLogin(result.user.id, this.#o.clock.now());
    const { token, session } = await this.#o.sessions.start(result.user);
    return { ok: true, token, session, email: result.user.email, created: result.created };
  }

  async #complete(callback: URLSearchParams, flowCookie: string | undefined) {
    const refuse = (reason: SsoRefusal, email?: string) => ({ ok: false as const, reason, email });
    const flow = this.#o.flows.open(flowCookie, this.#o.clock.now());
    // Checked before anything goes to the provider: a callback this browser did not start is not exchanged.
    if (flow === undefined || !sameSecret(callback.get('state'), flow.state)) return refuse('state');
    const exchanged = await this.#o.client.exchange(callback, flow);
    if (!exchanged.ok) {
      this.#o.logger?.warn({ reason: exchanged.reason, detail: exchanged.detail }, 'single sign-on refused');
      return refuse(exchanged.reason);
    }
    const { email, email_verified: verified } = exchanged.claims;
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) return refuse('no_email');
    const normalized = normalizeEmail(email);
    // Only a provider's `true`: an absent claim or the string "true" is not a verified address.
    if (verified !== true) return refuse('unverified_email', normalized);
    const { allowedDomains, defaultRole } = this.#o.config;
    const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
    if (allowedDomains.length > 0 && !allowedDomains.includes(domain)) return refuse('domain', normalized);
    const member = await this.#o.members.findOrCreate(normalized, defaultRole, this.#o.clock.now());
    if (!member.ok) return refuse('member_refused', normalized);
    return {
      ok: true as const,
      user: member.user,
      created: member.created,
      role: member.role,
      accountId: member.user.accountId,
      email: member.user.email,
    };
  }
}

function sameSecret(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  // Digests first: equal lengths for the constant-time compare whatever was presented.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
