import type { Verdict } from '../key-lookup/index.ts';
import { policyOf, type CanonicalPath, type RateLimitDefaults } from '../pipeline/index.ts';
import type { TunnelCloseReason } from './tunnel-metrics.ts';

/** What the pipeline admitted a tunnel for, checked again whenever its key changes. */
export interface TunnelGrant {
  readonly method: string;
  /** The canonical path the pipeline checked (and the upstream received). */
  readonly path: CanonicalPath;
  readonly clientAddress: string | undefined;
}

export type TunnelCheck =
  /** Still admitted; `expiresAt` is the key's (a roll's grace sets the old key's). */
  | { readonly kind: 'keep'; readonly expiresAt: number | null }
  | { readonly kind: 'close'; readonly reason: TunnelCloseReason }
  /** The keystore could not say: neither kept nor closed on a guess; asked again shortly. */
  | { readonly kind: 'unsure' };

const REVOKED: TunnelCheck = Object.freeze({ kind: 'close', reason: 'revoked' });
const EXPIRED: TunnelCheck = Object.freeze({ kind: 'close', reason: 'expired' });
const POLICY: TunnelCheck = Object.freeze({ kind: 'close', reason: 'policy' });
const UNSURE: TunnelCheck = Object.freeze({ kind: 'unsure' });

/**
 * Would the pipeline let this tunnel's upgrade through now? The same
 * verdict, expiry rule and `KeyPolicy.allowsFrom()`/`permits()` as
 * `Authorizer`, so a change that still admits the tunnel leaves it open.
 * A key the keystore no longer knows counts as revoked (it was deleted).
 */
export function checkTunnel(
  verdict: Verdict,
  grant: TunnelGrant,
  now: number,
  defaults: RateLimitDefaults,
): TunnelCheck {
  if (!verdict.ok) {
    if (verdict.reason === 'unavailable') return UNSURE;
    return verdict.reason === 'expired' ? EXPIRED : REVOKED;
  }
  const { key } = verdict;
  if (key.expiresAt !== null && key.expiresAt <= now) return EXPIRED;
  const policy = policyOf(key, defaults);
  if (!policy.allowsFrom(grant.clientAddress) || !policy.permits(grant.method, grant.path)) return POLICY;
  return { kind: 'keep', expiresAt: key.expiresAt };
}
