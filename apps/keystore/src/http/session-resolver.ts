import type { IncomingMessage } from 'node:http';
import type { SessionService } from '../accounts/session-service.ts';
import { readCookies } from './cookies.ts';
import type { Principal, PrincipalResolver } from './principal.ts';

export const SESSION_COOKIE = 'routemcp_session';

/** The `user` principal behind a request's session cookie, if any. */
export async function sessionPrincipal(sessions: SessionService, req: IncomingMessage): Promise<Principal | undefined> {
  const token = readCookies(req).get(SESSION_COOKIE);
  if (token === undefined) return undefined;
  const session = await sessions.resolve(token);
  if (session === undefined) return undefined;
  return {
    kind: 'user',
    userId: session.user.id,
    email: session.user.email,
    accountId: session.user.accountId,
    // Read with the session on every request: a role change or a removal applies to the member's next click.
    role: session.user.role,
    sessionIdHash: session.idHash,
    csrfToken: session.csrfToken,
  };
}

/** Lets a dashboard session call the management API (the routes confine it to its account). */
export function sessionResolver(sessions: SessionService): PrincipalResolver {
  return (req) => sessionPrincipal(sessions, req);
}
