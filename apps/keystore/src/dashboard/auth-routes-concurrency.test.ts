import { describe, expect, it } from 'vitest';
import { CountingHasher } from '../testing/counting-hasher.ts';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore } from '../testing/keystore-harness.ts';

const FLOOD = 40;

describe('dashboard login under concurrency', () => {
  it(`${FLOOD} wrong passwords at once for one email: 5 are checked, the rest are 429; then the right one is refused`, async () => {
    const passwords = new CountingHasher();
    // The cap out of the way: only the lock-out may bound the checks here.
    await using ks = await startKeystore({ passwords, loginCheckConcurrency: 100 });
    await addUser(ks, 'dev@example.com');
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, () => dashboardClient(ks).login('dev@example.com', 'wrong password')),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(FLOOD - 5);
    expect(passwords.verifies).toBe(5);
    for (const res of answers.filter((r) => r.status === 429)) expect(res.headers.get('retry-after')).toBe('900');

    const right = await dashboardClient(ks).login('dev@example.com', PASSWORD);
    expect(right.status).toBe(429);
    expect(await right.text()).toContain('Too many failed attempts. Try again in 15 minutes.');
    expect(passwords.verifies).toBe(5);
    const audit = await ks.accounts.listAudit({ limit: 100 });
    expect(audit.filter((e) => e.action === 'login.failed')).toHaveLength(4);
    expect(audit.filter((e) => e.action === 'login.locked')).toHaveLength(FLOOD - 4 + 1);
  });

  it(`${FLOOD} wrong passwords at once from one address over many emails: 20 are checked`, async () => {
    const passwords = new CountingHasher();
    await using ks = await startKeystore({ passwords, loginCheckConcurrency: 100 });
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) => dashboardClient(ks).login(`guess${i}@example.com`, 'nope')),
    );
    expect(answers.filter((res) => res.status === 401)).toHaveLength(20);
    expect(passwords.verifies).toBe(20);
  });

  it('past the concurrency cap: 429 at once with Retry-After, no hash computed, nothing counted', async () => {
    const passwords = new CountingHasher();
    await using ks = await startKeystore({ passwords, loginCheckConcurrency: 2 });
    await addUser(ks, 'dev@example.com');
    passwords.hold();
    const first = [
      dashboardClient(ks).login('a@example.com', 'nope'),
      dashboardClient(ks).login('b@example.com', 'nope'),
    ];
    await passwords.started(2);

    const page = await dashboardClient(ks).login('dev@example.com', PASSWORD);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBe('1');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('The server is busy checking other logins. Try again in a moment.');

    const script = dashboardClient(ks);
    await script.fetch('/login');
    const json = await script.fetch('/login', {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        origin: ks.baseUrl,
      },
      body: new URLSearchParams({
        email: 'dev@example.com',
        password: PASSWORD,
        _csrf: script.cookies.get('routemcp_login') ?? '',
      }),
    });
    expect(json.status).toBe(429);
    expect(json.headers.get('retry-after')).toBe('1');
    expect(await json.json()).toEqual({
      success: false,
      statusCode: 429,
      message: 'The server is busy checking other logins. Try again in a moment.',
      code: 'RATE_LIMITED',
    });
    expect(passwords.verifies).toBe(2);

    passwords.letGo();
    expect((await Promise.all(first)).map((res) => res.status)).toEqual([401, 401]);
    // The turned-away attempts took no slot: the right password goes straight in.
    expect((await dashboardClient(ks).login('dev@example.com', PASSWORD)).status).toBe(303);
    expect(passwords.verifies).toBe(3);
  });
});
