import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upFromEnvExample, type ComposeProject } from './compose/compose-project.ts';
import { runDocsCurl } from './compose/docs-curl.ts';
import { keystoreAdmin } from './compose/keystore-admin.ts';

let project: ComposeProject | undefined;

beforeAll(async () => {
  project = await upFromEnvExample({
    overrides: ['docker-compose.postgres.yml'],
    fill: { KEYSTORE_POSTGRES_PASSWORD: randomBytes(16).toString('hex') },
  });
}, 660_000);
afterAll(async () => {
  await project?.[Symbol.asyncDispose]();
});

const replicas = () => ({
  first: keystoreAdmin(project!.keystoreUrl, project!.adminToken),
  second: keystoreAdmin(project!.secondKeystoreUrl, project!.adminToken),
});

/** The docs' curl with `key`, through the published proxy: its status (the body only in a failure message). */
async function curlStatus(key: string): Promise<number> {
  const res = await runDocsCurl(project!.proxyPort, key);
  if (res.status !== 200 && res.status !== 401)
    throw new Error(`curl → ${res.status} ${res.body}\n${await project!.diagnostics()}`);
  return res.status;
}

async function eventually(probe: () => Promise<number>, wanted: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (last !== wanted && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    last = await probe();
  }
  return last;
}

describe('docker-compose.yml + docker-compose.postgres.yml: two keystore replicas on PostgreSQL, the proxy in front of both', () => {
  it('answers the docs curl with a key made on either replica → 200 and data', async () => {
    for (const replica of [replicas().first, replicas().second]) {
      const { key } = await replica.createKey('live');
      const res = await runDocsCurl(project!.proxyPort, key);
      if (res.status !== 200) throw new Error(`curl → ${res.status} ${res.body}\n${await project!.diagnostics()}`);
      const body = JSON.parse(res.body) as { success: boolean; data: unknown };
      expect(body.success).toBe(true);
      expect(Array.isArray(body.data)).toBe(true);
    }
  });

  it('keeps one database: a key made on replica 2 is served by replica 1’s management API', async () => {
    const { id } = await replicas().second.createKey('test');
    const seen = await replicas().first.getKey(id);
    expect(seen.status).toBe(200);
    expect(seen.body.data).toMatchObject({ id, environment: 'test' });
  });

  it('the proxy knows both replicas (one breaker gauge each, by index)', async () => {
    const text = await (await fetch(`${project!.adminUrl}/metrics`)).text();
    const gauges = text.split('\n').filter((line) => line.startsWith('routemcp_proxy_keystore_replica_circuit_open{'));
    expect(gauges).toEqual([
      'routemcp_proxy_keystore_replica_circuit_open{replica="0"} 0',
      'routemcp_proxy_keystore_replica_circuit_open{replica="1"} 0',
    ]);
  });

  it('with replica 1 stopped, a key made on replica 2 works at once and its revoke reaches the proxy', async () => {
    await project!.compose(['stop', '--timeout', '5', 'keystore']);
    const { id, key } = await replicas().second.createKey('live');
    expect(await curlStatus(key)).toBe(200);
    expect(await replicas().second.revokeKey(id)).toBe(200);
    // The proxy's event stream moved to replica 2 when replica 1 went away.
    expect(await eventually(() => curlStatus(key), 401)).toBe(401);
    await project!.compose(['start', 'keystore']);
  });
});
