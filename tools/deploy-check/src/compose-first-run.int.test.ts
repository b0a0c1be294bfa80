import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upFromEnvExample, type ComposeProject } from './compose/compose-project.ts';
import { docsCurl, runDocsCurl } from './compose/docs-curl.ts';
import { keystoreAdmin } from './compose/keystore-admin.ts';

let project: ComposeProject | undefined;

beforeAll(async () => {
  project = await upFromEnvExample();
}, 660_000);
afterAll(async () => {
  await project?.[Symbol.asyncDispose]();
});

describe('docker-compose.yml from .env.example with only the two tokens filled in', () => {
  it('takes the docs curl the test runs from the authentication page', () => {
    expect(docsCurl()).toEqual({
      url: 'http://localhost:5001/api/v1/contact?provider=hubspot',
      header: 'Authorization: Bearer sk_live_your_api_key',
    });
  });

  it.each(['test', 'live'] as const)(
    'answers the docs curl with a %s key made through the management API → 200 and data',
    async (environment) => {
      const { key } = await keystoreAdmin(project!.keystoreUrl, project!.adminToken).createKey(environment);
      const res = await runDocsCurl(project!.proxyPort, key);
      if (res.status !== 200) throw new Error(`curl → ${res.status} ${res.body}\n${await project!.diagnostics()}`);
      const body = JSON.parse(res.body) as { success: boolean; data: unknown };
      expect(body.success).toBe(true);
      expect(Array.isArray(body.data)).toBe(true);
      expect(body.data).not.toHaveLength(0);
    },
  );

  it("answers the docs curl as written (the page's placeholder key) with the exact 401 envelope", async () => {
    const res = await runDocsCurl(project!.proxyPort);
    expect(res.status).toBe(401);
    expect(res.body).toBe(
      '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}',
    );
  });
});
