import type { Environment } from '@routemcp/api-key';
import type { LeakActionName } from '../keys/key-record.ts';
import type { LeakAction } from '../store/key-store.ts';

/** Where GitHub publishes the keys it signs secret-scanning reports with. */
export const GITHUB_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';

/** What a leak does per environment (KEYSTORE_LEAK_ACTION_LIVE/TEST), and how long `expire` leaves a key. */
export interface LeakPolicy {
  live: LeakActionName;
  test: LeakActionName;
  graceSeconds: number;
}

/** Test keys revoked at once; live keys only flagged, so a report does not take a customer's production down. */
export const DEFAULT_LEAK_POLICY: Readonly<LeakPolicy> = { live: 'notify', test: 'revoke', graceSeconds: 3600 };

export function leakAction(policy: LeakPolicy, environment: Environment, now: number): LeakAction {
  const name = policy[environment];
  return name === 'expire' ? { kind: 'expire', endsAt: now + policy.graceSeconds * 1000 } : { kind: name };
}
