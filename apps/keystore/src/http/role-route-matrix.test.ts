import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { can, ROLES, type Role } from '../accounts/roles.ts';
import { newInvitationId, newUserId } from '../ids.ts';
import { loggedIn, type DashboardClient } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';
import type { Route } from './router.ts';

/**
 * Routes that need no role: health and docs, static files, the login and
 * invitation pages (no session yet), one's own account (any member, for
 * itself), and GitHub's leak reports (signed by GitHub, no principal at all). A new dashboard page is not here and has no permission: the test
 * below fails until it gets one, or is added here on purpose.
 */
const NO_ROLE = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /v1/openapi.json',
  'GET /',
  'GET /login',
  'POST /login',
  'POST /logout',
  'GET /invite/:token',
  'POST /invite/:token',
  'GET /account',
  'POST /account/password',
  'POST /account/sessions/end',
  'GET /assets/dashboard.css',
  'GET /assets/dashboard.js',
  'POST /v1/leaks/github',
]);

const ROLE_REFUSED = '{"success":false,"statusCode":403,"message":"Your role does not allow this","code":"FORBIDDEN"}';

const name = (route: Route) => `${route.method} ${route.pattern}`;

interface Fixtures {
  keyId: string;
  memberId: string;
  invitationId: string;
  token: string;
}

async function fixtures(ks: Harness): Promise<Fixtures> {
  const created = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
  const keyId = ((await created.json()) as { data: { id: string } }).data.id;
  const accountId = ks.store.defaultAccountId;
  const target = await ks.accounts.createUser(
    { id: newUserId(), accountId, email: 'target@example.com', passwordHash: '', role: 'developer' },
    ks.clock.now(),
  );
  const token = 'matrix-invitation-token';
  const invitationId = newInvitationId();
  await ks.accounts.createInvitation({
    id: invitationId,
    accountId,
    email: 'invited@example.com',
    role: 'developer',
    invitedBy: 'owner@example.com',
    tokenHash: createHash('sha256').update(token).digest('hex'),
    createdAt: ks.clock.now(),
    expiresAt: ks.clock.now() + 3_600_000,
  });
  return { keyId, memberId: target!.id, invitationId, token };
}

/** A concrete path for a pattern, each `:param` filled with a fixture that exists where there is one. */
function fill(pattern: string, f: Fixtures): string {
  return pattern
    .split('/')
    .map((segment, i, all) => {
      if (!segment.startsWith(':')) return segment;
      const parent = all[i - 1];
      if (segment === ':id' && parent === 'keys') return f.keyId;
      if (segment === ':id' && parent === 'members') return f.memberId;
      if (segment === ':id' && parent === 'invitations') return f.invitationId;
      if (segment === ':token') return f.token;
      // The role is checked before anything is looked up, so a route this test has no fixture for still joins
      // the matrix: refused roles get 403, allowed ones a 404 for the id that does not exist.
      return 'no-such-id';
    })
    .join('/');
}

async function call(client: DashboardClient, route: Route, path: string): Promise<{ status: number; body: string }> {
  const res =
    route.access === 'management'
      ? await client.api(route.method, path, route.method === 'GET' ? undefined : {})
      : route.method === 'GET'
        ? await client.fetch(path)
        : await client.post(path, {});
  return { status: res.status, body: await res.text() };
}

describe('role × route matrix', () => {
  it('every management route declares a permission; every other public route does, or needs no role on purpose', async () => {
    await using ks = await startKeystore();
    const unguarded = ks.app.routes.filter(
      (r) =>
        (r.access === 'management' && r.permission === undefined) ||
        (r.access === 'public' && r.permission === undefined && !NO_ROLE.has(name(r))),
    );
    expect(unguarded.map(name)).toEqual([]);
    expect(ks.app.routes.filter((r) => r.access === 'service').every((r) => r.pattern.startsWith('/internal/'))).toBe(
      true,
    );
  });

  it('each role is allowed exactly what roles.ts grants, on the management API and in the dashboard', async () => {
    await using ks = await startKeystore();
    const f = await fixtures(ks);
    const guarded = ks.app.routes.filter((r) => r.permission !== undefined);
    expect(guarded.length).toBeGreaterThan(15);
    const seen: string[] = [];
    // Least trusted first: an allowed change (a revoke, a removal) then cannot hide a refusal that comes later.
    for (const role of [...ROLES].reverse() as Role[]) {
      const client = await loggedIn(ks, `${role}@example.com`, role);
      for (const route of guarded) {
        const allowed = can(role, route.permission!);
        const answer = await call(client, route, fill(route.pattern, f));
        const refused =
          answer.status === 403 &&
          (route.access === 'management'
            ? answer.body === ROLE_REFUSED
            : answer.body.includes('Your role does not allow this.'));
        seen.push(`${role} ${name(route)} ${refused ? 'refused' : 'allowed'}`);
        expect(refused, `${role} ${name(route)} → ${answer.status}`).toBe(!allowed);
        if (allowed) expect(answer.status, `${role} ${name(route)}`).not.toBe(403);
      }
    }
    expect(seen).toHaveLength(guarded.length * ROLES.length);
  });

  it('the routes that need no role answer every signed-in role (their own account page)', async () => {
    await using ks = await startKeystore();
    for (const role of ROLES) {
      const client = await loggedIn(ks, `${role}@example.com`, role);
      const res = await client.fetch('/account');
      expect(res.status, role).toBe(200);
      expect(await res.text()).toContain(`${role}@example.com`);
    }
  });
});
