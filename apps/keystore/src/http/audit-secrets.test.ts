import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD, type DashboardClient } from '../testing/dashboard-client.ts';
import { ADMIN_TOKEN, SERVICE_TOKEN, startKeystore, type Harness } from '../testing/keystore-harness.ts';

const WRONG_PASSWORD = 'not the password, but close';

/** Every management route once, as `call` makes it; returns the keys it was shown. */
async function everyManagementRoute(call: (method: string, path: string, body?: unknown) => Promise<Response>) {
  const data = async (res: Response) => ((await res.json()) as { data: Record<string, string> }).data;
  const created = await data(await call('POST', '/v1/keys', { environment: 'test', name: 'scan' }));
  const id = created.id as string;
  await call('GET', '/v1/keys');
  await call('GET', `/v1/keys/${id}`);
  await call('PATCH', `/v1/keys/${id}`, { name: 'scanned', metadata: { note: 'x' } });
  const rolled = await data(await call('POST', `/v1/keys/${id}/roll`, { gracePeriodSeconds: 60 }));
  await call('POST', `/v1/keys/${rolled.id}/revoke`);
  await call('GET', '/v1/audit-log');
  return [created.key as string, rolled.key as string];
}

/** What a session leaves in the database and the browser: its cookies, its id's hash, its CSRF token. */
function sessionSecrets(ks: Harness, clients: readonly DashboardClient[]): string[] {
  const db = new DatabaseSync(ks.dbPath, { readOnly: true });
  try {
    const rows = db.prepare('SELECT id_hash, csrf_token FROM sessions').all() as {
      id_hash: string;
      csrf_token: string;
    }[];
    return [
      ...rows.flatMap((r) => [r.id_hash, r.csrf_token]),
      // A client that never logged in has no CSRF token yet ('').
      ...clients.flatMap((c) => [...c.cookies.values(), c.csrfToken()]).filter((s) => s !== ''),
    ];
  } finally {
    db.close();
  }
}

describe('the audit log holds no secret', () => {
  it('after every management route (admin token, session, management token), logins, a failed login and logouts', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'a@example.com');
    const browser = dashboardClient(ks);
    const stranger = dashboardClient(ks);
    expect((await stranger.login('a@example.com', WRONG_PASSWORD)).status).toBe(401);
    expect((await stranger.login('nobody@example.com', PASSWORD)).status).toBe(401);
    expect((await browser.login('a@example.com', PASSWORD)).status).toBe(303);

    const minted = await browser.api('POST', '/v1/tokens', { name: 'scanner', role: 'owner' });
    const { token, id: tokenId } = ((await minted.json()) as { data: { token: string; id: string } }).data;
    const withToken = (method: string, path: string, json?: unknown) =>
      fetch(`${ks.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
    const keys = [
      ...(await everyManagementRoute((method, path, json) => ks.admin(path, { method, json }))),
      ...(await everyManagementRoute((method, path, body) => browser.api(method, path, body))),
      ...(await everyManagementRoute(withToken)),
    ];
    await withToken('GET', '/v1/tokens');
    await withToken('POST', `/v1/tokens/${tokenId}/revoke`);
    const secrets = [ADMIN_TOKEN, SERVICE_TOKEN, PASSWORD, WRONG_PASSWORD, ...sessionSecrets(ks, [browser, stranger])];
    // A management token, with and without its prefix, and the hash it is stored as.
    secrets.push(token, token.slice(4), createHash('sha256').update(token).digest('hex'));
    expect((await browser.post('/logout', {})).status).toBe(303);

    // A key's secret part alone is a secret too: `sk_test_` + body, the body without its prefix.
    for (const key of keys) secrets.push(key, key.replace(/^sk_(live|test)_/, ''));
    expect(keys).toHaveLength(6);
    expect(secrets.filter((s) => s.length < 16)).toEqual([]);

    const rows = await ks.accounts.listAudit({ limit: 1000 });
    expect(new Set(rows.map((r) => r.action))).toEqual(
      new Set([
        'login',
        'login.failed',
        'logout',
        'key.created',
        'key.updated',
        'key.rolled',
        'key.revoked',
        'token.created',
        'token.revoked',
      ]),
    );
    const written = JSON.stringify(rows);
    // Which ones leaked, by position in `secrets`: a failure must not print the secret itself.
    const leaked = secrets.flatMap((secret, i) => (written.includes(secret) ? [i] : []));
    expect(leaked).toEqual([]);
  });
});
