import type { Clock } from '../clock.ts';
import {
  hashManagementToken,
  LAST_USE_RESOLUTION_MS,
  lastUseIsStale,
  MANAGEMENT_TOKEN,
} from '../tokens/management-token.ts';
import type { ManagementTokenStore } from '../tokens/token-store.ts';
import { BEARER, type PrincipalResolver } from './principal.ts';

/**
 * `Authorization: Bearer rmk_…` → the token's principal. The row is found by
 * the token's SHA-256, so nothing compares the secret itself; an unknown or
 * revoked token resolves to nothing (401). Last use is written at most once a
 * minute per token, not on every call.
 */
export function managementTokenResolver(deps: {
  tokens: Pick<ManagementTokenStore, 'findManagementTokenByHash' | 'touchManagementToken'>;
  clock: Clock;
}): PrincipalResolver {
  return async (req) => {
    const presented = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined || !MANAGEMENT_TOKEN.test(presented)) return undefined;
    const record = await deps.tokens.findManagementTokenByHash(hashManagementToken(presented));
    if (record === undefined || record.revokedAt !== null) return undefined;
    const now = deps.clock.now();
    if (lastUseIsStale(record, now)) await deps.tokens.touchManagementToken(record.id, now, LAST_USE_RESOLUTION_MS);
    return { kind: 'token', tokenId: record.id, name: record.name, accountId: record.accountId, role: record.role };
  };
}
