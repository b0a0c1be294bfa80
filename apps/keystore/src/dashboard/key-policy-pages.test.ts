import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

async function loggedIn(ks: Harness) {
  await addUser(ks, 'dev@example.com');
  const browser = dashboardClient(ks);
  await browser.login('dev@example.com', PASSWORD);
  return browser;
}

const POLICY_FORM = {
  ownerId: 'cust_42',
  permissions: 'GET /api/v1/contacts\n* /api/v1/deals/**',
  allowedIps: '10.0.0.0/8',
  rateLimits: 'burst 10 5\nowner 1000 0.5 shared shadow',
  quotaLimit: '100',
  quotaPeriod: 'month',
  quotaShared: 'on',
  metadata: '{"plan": "pro & <b>co</b>"}',
};

describe('dashboard: key policies', () => {
  it('the new-key form has a labelled control for every policy, described by its hint', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    const page = await (await browser.fetch('/keys/new')).text();
    for (const id of ['permissions', 'allowedIps', 'rateLimits', 'metadata']) {
      expect(page).toContain(`<label for="${id}">`);
      expect(page).toContain(`<textarea id="${id}" name="${id}"`);
      expect(page).toContain(`aria-describedby="${id}-hint"`);
      expect(page).toContain(`id="${id}-hint"`);
    }
    for (const id of ['ownerId', 'quotaLimit'])
      expect(page).toMatch(new RegExp(`<label for="${id}">[\\s\\S]*?<input id="${id}" name="${id}"`));
    expect(page).toContain('<select id="quotaPeriod" name="quotaPeriod"><option value="day" >');
    expect(page).toContain('<input type="checkbox" name="quotaShared" >');
  });

  it('generates a key with every policy; its page shows them, escaped, and the quota use', async () => {
    await using ks = await startKeystore();
    ks.clock.set(Date.parse('2026-06-15T12:00:00.000Z'));
    const browser = await loggedIn(ks);
    const res = await browser.post('/keys', { environment: 'live', name: 'restricted', ...POLICY_FORM });
    expect(res.status).toBe(200);
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    expect(key).toMatchObject({
      ownerId: 'cust_42',
      permissions: ['GET /api/v1/contacts', '* /api/v1/deals/**'],
      allowedIps: ['10.0.0.0/8'],
      rateLimits: [
        { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
        { name: 'owner', capacity: 1000, refillPerSecond: 0.5, shared: true, shadow: true },
      ],
      quota: { limit: 100, period: 'month', shared: true },
      metadata: { plan: 'pro & <b>co</b>' },
    });
    await ks.service('/internal/v1/usage', {
      method: 'POST',
      json: {
        entries: [
          {
            keyId: key.id,
            requests: 50,
            rateLimited: 5,
            admitted: 45,
            lastUsedAt: new Date(ks.clock.now()).toISOString(),
          },
        ],
      },
    });
    const page = await (await browser.fetch(`/keys/${key.id}`)).text();
    expect(page).toContain('<li><code>GET /api/v1/contacts</code></li><li><code>* /api/v1/deals/**</code></li>');
    expect(page).toContain('<li><code>10.0.0.0/8</code></li>');
    expect(page).toContain('<code>owner</code>: 1000 burst · 0.5/s · shared by the owner · shadow (never refuses)');
    expect(page).toContain('<progress max="100" value="45"');
    expect(page).toContain(
      '<strong>45</strong> of 100 requests used this month (UTC), shared by every key of <code>cust_42</code>; 55 left. Starts again 1 Jul 2026, 00:00 UTC.',
    );
    expect(page).toContain('&quot;plan&quot;: &quot;pro &amp; &lt;b&gt;co&lt;/b&gt;&quot;');
    expect(page).not.toContain('<b>co</b>');
    // The edit form starts from the key's values.
    expect(page).toContain(
      '<textarea id="permissions" name="permissions" rows="3" spellcheck="false" aria-describedby="permissions-hint">GET /api/v1/contacts\n* /api/v1/deals/**</textarea>',
    );
    expect(page).toContain('burst 10 5\nowner 1000 0.5 shared shadow</textarea>');
    expect(page).toContain('<option value="month" selected>');
    expect(page).toContain('<input type="checkbox" name="quotaShared" checked>');
  });

  it('a key without policies says so', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'test' });
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    const page = await (await browser.fetch(`/keys/${key.id}`)).text();
    expect(page).toContain('<span class="muted">Every endpoint</span>');
    expect(page).toContain('<span class="muted">From anywhere</span>');
    expect(page).toContain('<span class="muted">No quota</span>');
  });

  it('edits policies; a refused edit names the control and line, keeps what was typed and changes nothing', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'live', name: 'k', ...POLICY_FORM });
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    const seq = await ks.store.latestSeq();

    const bad = await browser.post(`/keys/${key.id}`, {
      name: 'k',
      ...POLICY_FORM,
      permissions: 'GET /ok\nGET /a/../b',
    });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain(
      '<p class="alert alert-error" role="alert">Permissions, line 2: the path may not contain . or .. segments</p>',
    );
    expect(badPage).toContain('>GET /ok\nGET /a/../b</textarea>');

    const orphan = await browser.post(`/keys/${key.id}`, { name: 'k', ...POLICY_FORM, ownerId: '' });
    expect(orphan.status).toBe(400);
    expect(await orphan.text()).toContain('Rate limit buckets: a shared bucket needs the key to have an ownerId');
    expect(await ks.store.latestSeq()).toBe(seq);
    expect((await ks.store.getKey(key.id))?.ownerId).toBe('cust_42');

    const saved = await browser.post(`/keys/${key.id}`, {
      name: 'k',
      permissions: 'GET /api/v1/contacts',
      allowedIps: '',
      ownerId: 'cust_42',
      rateLimits: '',
      quotaLimit: '',
      quotaPeriod: 'month',
      metadata: '',
    });
    expect(saved.headers.get('location')).toBe(`/keys/${key.id}?saved=1`);
    expect(await ks.store.getKey(key.id)).toMatchObject({
      permissions: ['GET /api/v1/contacts'],
      allowedIps: null,
      ownerId: 'cust_42',
      rateLimits: null,
      quota: null,
      metadata: null,
    });
    expect((await ks.store.eventsAfter(seq, 10)).map((e) => e.type)).toEqual(['updated']);
  });

  it('refuses a conflicting new key with the message, and creates nothing', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    const res = await browser.post('/keys', { environment: 'live', capacity: '5', refill: '1', rateLimits: 'a 1 1' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Rate limit and Rate limit buckets: set one of them');
    expect(await ks.store.listKeys({}, ks.clock.now())).toHaveLength(0);
  });
});
