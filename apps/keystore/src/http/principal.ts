import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { can, type Permission, type Role } from '../accounts/roles.ts';

/**
 * Who is calling. `operator` holds the admin token and is trusted with every
 * account; `service` is a proxy; `user` is a dashboard session, confined to
 * its own account, limited by its role and bound to a CSRF token for state
 * changes. `token` is automation's named management token, confined like a
 * user.
 */
export type Principal =
  | { kind: 'operator' }
  | { kind: 'service' }
  | {
      kind: 'user';
      userId: string;
      email: string;
      accountId: string;
      role: Role;
      sessionIdHash: string;
      csrfToken: string;
    }
  /** A named management token (`rmk_…`): confined to its account and role like a session, but no CSRF (a header, not a cookie). */
  | { kind: 'token'; tokenId: string; name: string; accountId: string; role: Role };

/** Recognises one kind of credential; undefined means "not mine / not valid". */
export type PrincipalResolver = (req: IncomingMessage) => Principal | undefined | Promise<Principal | undefined>;

export const BEARER = /^Bearer +(\S+) *$/i;

/** Accepts `Authorization: Bearer <token>`, compared in constant time. */
export function bearerTokenResolver(token: string, principal: Principal): PrincipalResolver {
  const expected = digest(token);
  return (req) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (match?.[1] === undefined) return undefined;
    // Comparing digests keeps the compare constant-time even when lengths differ.
    return timingSafeEqual(digest(match[1]), expected) ? principal : undefined;
  };
}

/** Whether `principal` may do what `permission` names: the operator everything, a proxy none of it, a user per role. */
export function principalCan(principal: Principal, permission: Permission): boolean {
  if (principal.kind === 'operator') return true;
  if (principal.kind === 'service') return false;
  return can(principal.role, permission);
}

export async function resolvePrincipal(
  resolvers: readonly PrincipalResolver[],
  req: IncomingMessage,
): Promise<Principal | undefined> {
  for (const resolve of resolvers) {
    const principal = await resolve(req);
    if (principal !== undefined) return principal;
  }
  return undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
