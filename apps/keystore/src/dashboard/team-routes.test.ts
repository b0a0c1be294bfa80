import { describe, expect, it } from 'vitest';
import { dashboardClient, loggedIn, PASSWORD, type DashboardClient } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

const LINK = /<code id="invite-link"[^>]*>([^<]+)<\/code>/;
const NEW_PASSWORD = 'a new and long passphrase';

/** Invites through the Team form; the link from the answer (the only place it is ever shown). */
async function invite(
  client: DashboardClient,
  email: string,
  role: string,
): Promise<{ status: number; link?: string; page: string }> {
  const res = await client.post('/team/invitations', { email, role });
  const page = await res.text();
  return { status: res.status, link: LINK.exec(page)?.[1], page };
}

/** Opens the link in a new browser and sets the password (twice); the new member's client. */
async function join(ks: Harness, link: string, password = NEW_PASSWORD, repeat = password) {
  const client = dashboardClient(ks);
  const path = new URL(link).pathname;
  const res = await client.post(path, { password, repeat }, { csrf: null });
  return { client, res, path };
}

const auditActions = async (ks: Harness) =>
  (await ks.accounts.listAudit({ accountId: ks.store.defaultAccountId, limit: 50 })).map(
    (e) => `${e.action} ${e.target}`,
  );

describe('Team: invitations', () => {
  it('shows the link once, under KEYSTORE_PUBLIC_URL; it logs the new member in with the invited role, and works once', async () => {
    await using ks = await startKeystore({ publicUrl: 'https://keys.example.com' });
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    const invited = await invite(owner, 'Dev@Example.com', 'developer');
    expect(invited.status).toBe(200);
    expect(invited.link).toMatch(/^https:\/\/keys\.example\.com\/invite\/[A-Za-z0-9_-]{43}$/);
    const token = invited.link!.split('/').pop()!;
    const team = await (await owner.fetch('/team')).text();
    expect(team).toContain('dev@example.com');
    expect(team).not.toContain(token);

    const local = invited.link!.replace('https://keys.example.com', ks.baseUrl);
    const opened = await dashboardClient(ks).fetch(new URL(local).pathname);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('invited <strong>dev@example.com</strong> as <strong>Developer</strong>');

    const { client, res, path } = await join(ks, local);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/keys');
    const keys = await (await client.fetch('/keys')).text();
    expect(keys).toContain('Generate New Key');
    const created = await client.api('POST', '/v1/keys', { environment: 'test' });
    expect(created.status).toBe(201);

    const again = await dashboardClient(ks).post(
      path,
      { password: NEW_PASSWORD, repeat: NEW_PASSWORD },
      { csrf: null },
    );
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This invitation has already been used.');
    expect((await dashboardClient(ks).fetch(path)).status).toBe(410);

    const audit = await auditActions(ks);
    expect(audit).toContain('invitation.created dev@example.com as developer');
    expect(audit).toContain('invitation.accepted dev@example.com as developer');
    const rows = JSON.stringify(await ks.accounts.listAudit({ limit: 50 }));
    expect(rows).not.toContain(token);
    expect(rows).not.toContain(NEW_PASSWORD);
  });

  it('refuses a password shorter than 12 characters or typed differently twice, and the link still works after', async () => {
    await using ks = await startKeystore();
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    const { link } = await invite(owner, 'dev@example.com', 'viewer');
    const short = await join(ks, link!, 'elevenchars');
    expect(short.res.status).toBe(400);
    expect(await short.res.text()).toContain('The password must be at least 12 characters long.');
    const differ = await join(ks, link!, NEW_PASSWORD, `${NEW_PASSWORD}!`);
    expect(differ.res.status).toBe(400);
    expect(await differ.res.text()).toContain('The two passwords do not match.');
    expect((await join(ks, link!)).res.status).toBe(303);
  });

  it('an invitation expires after 72 hours, and a withdrawn one stops working at once', async () => {
    await using ks = await startKeystore();
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    const late = await invite(owner, 'late@example.com', 'viewer');
    ks.clock.advance(1);
    const gone = await invite(owner, 'gone@example.com', 'viewer');
    const [pending] = await ks.accounts.pendingInvitations(ks.store.defaultAccountId, ks.clock.now());
    expect(pending?.email).toBe('gone@example.com');
    const withdrawn = await owner.post(`/team/invitations/${pending!.id}/withdraw`, {});
    expect(withdrawn.status).toBe(303);
    const refused = await join(ks, gone.link!);
    expect(refused.res.status).toBe(410);
    expect(await refused.res.text()).toContain('This invitation was withdrawn.');

    ks.clock.advance(72 * 3_600_000 - 2);
    expect((await dashboardClient(ks).fetch(new URL(late.link!).pathname)).status).toBe(200);
    ks.clock.advance(1);
    const expired = await join(ks, late.link!);
    expect(expired.res.status).toBe(410);
    expect(await expired.res.text()).toContain('This invitation has expired');
    expect(await auditActions(ks)).toContain('invitation.withdrawn gone@example.com');
  });

  it('refuses the forms from another site: an invitation without the CSRF token, a join from another origin', async () => {
    await using ks = await startKeystore();
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    expect(
      (await owner.post('/team/invitations', { email: 'x@example.com', role: 'viewer' }, { csrf: null })).status,
    ).toBe(403);
    const { link } = await invite(owner, 'dev@example.com', 'viewer');
    const path = new URL(link!).pathname;
    const forged = await dashboardClient(ks).post(
      path,
      { password: NEW_PASSWORD, repeat: NEW_PASSWORD },
      { csrf: null, origin: 'https://evil.example' },
    );
    expect(forged.status).toBe(403);
    expect((await join(ks, link!)).res.status).toBe(303);
  });

  it('an admin invites anyone but an owner; a developer or viewer cannot invite at all', async () => {
    await using ks = await startKeystore();
    await loggedIn(ks, 'owner@example.com', 'owner');
    const admin = await loggedIn(ks, 'admin@example.com', 'admin');
    const developer = await loggedIn(ks, 'developer@example.com', 'developer');
    expect((await invite(admin, 'x@example.com', 'owner')).status).toBe(403);
    expect((await invite(admin, 'y@example.com', 'admin')).status).toBe(200);
    expect((await invite(developer, 'z@example.com', 'viewer')).status).toBe(403);
    const team = await (await developer.fetch('/team')).text();
    expect(team).not.toContain('Invite member');
    expect(
      (await ks.accounts.pendingInvitations(ks.store.defaultAccountId, ks.clock.now())).map((i) => i.email),
    ).toEqual(['y@example.com']);
  });
});

describe('Team: roles and removal', () => {
  const memberId = async (ks: Harness, email: string) => (await ks.accounts.findUserByEmail(email))!.id;

  it('a role change applies to the member’s next request', async () => {
    await using ks = await startKeystore();
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    const dev = await loggedIn(ks, 'dev@example.com', 'developer');
    expect((await dev.api('POST', '/v1/keys', { environment: 'test' })).status).toBe(201);
    const changed = await owner.post(`/team/members/${await memberId(ks, 'dev@example.com')}/role`, { role: 'viewer' });
    expect(changed.status).toBe(303);
    expect(await (await dev.api('POST', '/v1/keys', { environment: 'test' })).text()).toBe(
      '{"success":false,"statusCode":403,"message":"Your role does not allow this","code":"FORBIDDEN"}',
    );
    expect(await auditActions(ks)).toContain('member.role_changed dev@example.com: developer → viewer');
  });

  it('admins cannot change or remove owners or make one; the last owner cannot step down', async () => {
    await using ks = await startKeystore();
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    const admin = await loggedIn(ks, 'admin@example.com', 'admin');
    const ownerId = await memberId(ks, 'owner@example.com');
    const adminId = await memberId(ks, 'admin@example.com');
    expect((await admin.post(`/team/members/${ownerId}/role`, { role: 'viewer' })).status).toBe(403);
    expect((await admin.post(`/team/members/${ownerId}/remove`, {})).status).toBe(403);
    expect((await admin.post(`/team/members/${adminId}/role`, { role: 'owner' })).status).toBe(403);
    const last = await owner.post(`/team/members/${ownerId}/role`, { role: 'admin' });
    expect(last.status).toBe(409);
    expect(await last.text()).toContain('An account keeps at least one owner');
    expect((await owner.post(`/team/members/${ownerId}/remove`, {})).status).toBe(409);
    expect((await ks.accounts.findUser(ownerId))?.role).toBe('owner');
    const page = await (await admin.fetch('/team')).text();
    expect(page).not.toContain(`Remove owner@example.com`);
    expect(page).toContain(`Remove admin@example.com`);
  });

  it('removal logs the member out at once, on every session it has', async () => {
    await using ks = await startKeystore();
    const owner = await loggedIn(ks, 'owner@example.com', 'owner');
    const viewer = await loggedIn(ks, 'viewer@example.com', 'viewer');
    const second = dashboardClient(ks);
    await second.login('viewer@example.com', PASSWORD);
    expect((await viewer.fetch('/keys')).status).toBe(200);
    const removed = await owner.post(`/team/members/${await memberId(ks, 'viewer@example.com')}/remove`, {});
    expect(removed.headers.get('location')).toBe('/team?done=removed');
    for (const client of [viewer, second]) {
      const res = await client.fetch('/keys');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
      expect((await client.api('GET', '/v1/keys')).status).toBe(401);
    }
    expect((await viewer.login('viewer@example.com', PASSWORD)).status).toBe(401);
    expect(await auditActions(ks)).toContain('member.removed viewer@example.com');
  });
});

describe('Account: password and sessions', () => {
  it('a viewer is offered no Generate New Key and its own session gets 403 from POST /v1/keys', async () => {
    await using ks = await startKeystore();
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test', name: 'Shared key' } });
    const viewer = await loggedIn(ks, 'viewer@example.com', 'viewer');
    const page = await (await viewer.fetch('/keys')).text();
    expect(page).toContain('Shared key');
    expect(page).not.toContain('Generate New Key');
    expect(page).not.toContain('>Revoke<');
    expect((await viewer.api('POST', '/v1/keys', { environment: 'test' })).status).toBe(403);
    expect((await viewer.post('/keys', { environment: 'test' })).status).toBe(403);
    expect((await viewer.fetch('/keys/new')).status).toBe(403);
  });

  it('changing the password needs the current one and 12 characters, and ends the member’s other sessions', async () => {
    await using ks = await startKeystore();
    const dev = await loggedIn(ks, 'dev@example.com', 'developer');
    const other = dashboardClient(ks);
    await other.login('dev@example.com', PASSWORD);
    const wrong = await dev.post('/account/password', { current: 'not it', password: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('The current password is incorrect.');
    const short = await dev.post('/account/password', { current: PASSWORD, password: 'too short' });
    expect(await short.text()).toContain('at least 12 characters');
    expect((await other.fetch('/keys')).status).toBe(200);

    const changed = await dev.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD });
    expect(changed.headers.get('location')).toBe('/account?done=password&ended=1');
    expect((await dev.fetch('/keys')).status).toBe(200);
    expect((await other.fetch('/keys')).headers.get('location')).toBe('/login');
    expect((await dashboardClient(ks).login('dev@example.com', PASSWORD)).status).toBe(401);
    expect((await dashboardClient(ks).login('dev@example.com', NEW_PASSWORD)).status).toBe(303);
    expect(await auditActions(ks)).toContain('password.changed dev@example.com');
    expect(JSON.stringify(await ks.accounts.listAudit({ limit: 50 }))).not.toContain(NEW_PASSWORD);
  });

  it('five wrong current passwords lock the change for 15 minutes, even with the right one', async () => {
    await using ks = await startKeystore();
    const dev = await loggedIn(ks, 'dev@example.com', 'developer');
    for (let i = 0; i < 5; i++) {
      const res = await dev.post('/account/password', { current: `guess ${i}`, password: NEW_PASSWORD });
      expect(await res.text()).toContain('The current password is incorrect.');
    }
    const locked = await dev.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD });
    expect(await locked.text()).toContain('Too many wrong passwords. Try again in 15 minutes.');
    ks.clock.advance(15 * 60_000);
    const changed = await dev.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD });
    expect(changed.status).toBe(303);
  });

  it('lists one’s sessions and logs out everywhere else', async () => {
    await using ks = await startKeystore();
    const me = await loggedIn(ks, 'me@example.com', 'viewer');
    const other = dashboardClient(ks);
    await other.login('me@example.com', PASSWORD);
    const page = await (await me.fetch('/account')).text();
    expect(page.match(/<tr( class="row-current")?>\n/g)).toHaveLength(2);
    expect(page).toContain('this session');
    const ended = await me.post('/account/sessions/end', {});
    expect(ended.headers.get('location')).toBe('/account?done=sessions&ended=1');
    expect((await other.fetch('/keys')).headers.get('location')).toBe('/login');
    expect((await me.fetch('/keys')).status).toBe(200);
    expect(await auditActions(ks)).toContain('sessions.ended 1 other session(s)');
  });
});
