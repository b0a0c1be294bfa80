import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who is calling. `operator` holds the admin token and is trusted with every
 * account; `service` is a proxy; `user` is a dashboard session, confined to
 * its own account and bound to a CSRF token for state changes.
 */
export type Principal =
  | { kind: 'operator' }
  | { kind: 'service' }
  | { kind: 'user'; userId: string; email: string; accountId: string; sessionIdHash: string; csrfToken: string };

/** Recognises one kind of credential; undefined means "not mine / not valid". */
export type PrincipalResolver = (req: IncomingMessage) => Principal | undefined | Promise<Principal | undefined>;

const BEARER = /^Bearer +(\S+) *$/i;

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
