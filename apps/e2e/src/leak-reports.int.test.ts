import { createHash } from 'node:crypto';
import { errorBody } from '@routemcp/errors';
import { makeTestKey } from '@routemcp/api-key/testing';
import { startSecretScanning } from '@routemcp/testing/secret-scanning';
import { describe, expect, it } from 'vitest';
import { issueSettledKey, ROOMY } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { startStack } from './stack.ts';
import { call, sleep, statusOf } from './traffic.ts';

const PATH = '/api/v1/contacts?provider=hubspot';
const FOUND = 'https://github.com/octo/repo/blob/2f1c0de/.env';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const match = (token: string) => ({ token, type: 'routemcp_api_key', url: FOUND, source: 'content' });

/** ms from `since` until the proxy first answers 401 for `key` (each earlier answer must be 200). */
async function msUntilUnauthorized(url: string, key: string, since: number, timeoutMs = 5000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    const res = await call(url, PATH, key);
    const body = await res.text();
    if (res.status === 401) {
      expect(body).toBe(errorBody('INVALID_API_KEY'));
      return performance.now() - since;
    }
    expect(res.status, body).toBe(200);
    await sleep(2);
  }
  return Number.POSITIVE_INFINITY;
}

describe('leaked keys reported by GitHub secret scanning, through a real proxy', () => {
  it('labels live/test/unknown true/true/false, the test key stops at the proxy within a second, the live key works and shows its leak', async () => {
    const issued: string[] = [];
    await using github = await startSecretScanning();
    // Positive entries live 10 minutes: only the revoke event can explain a 401 here.
    await using stack = await startStack({
      keystoreEnv: { KEYSTORE_GITHUB_KEYS_URL: github.keysUrl },
      proxyEnv: { CACHE_TTL_MS: '600000' },
    });
    const live = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [stack.adminUrl]);
    const test = await issueSettledKey(stack, issued, { environment: 'test', rateLimit: ROOMY }, [stack.adminUrl]);
    expect(await statusOf(stack.proxyUrl, PATH, live.key)).toBe(200);
    expect(await statusOf(stack.proxyUrl, PATH, test.key)).toBe(200);
    const unknown = makeTestKey('live').key;

    const report = `${stack.keystoreUrl}/v1/leaks/github`;
    const res = await github.post(report, JSON.stringify([match(live.key), match(test.key), match(unknown)]));
    const since = performance.now();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: sha256(live.key), token_type: 'routemcp_api_key', label: 'true_positive' },
      { token_hash: sha256(test.key), token_type: 'routemcp_api_key', label: 'true_positive' },
      { token_hash: sha256(unknown), token_type: 'routemcp_api_key', label: 'false_positive' },
    ]);
    const ms = await msUntilUnauthorized(stack.proxyUrl, test.key, since);
    console.info(`leaked test key: first 401 at the proxy ${ms.toFixed(1)} ms after the report's answer`);
    expect(ms).toBeLessThan(1000);

    expect(await statusOf(stack.proxyUrl, PATH, live.key)).toBe(200);
    const shown = await stack.manage('GET', `/v1/keys/${live.id}`);
    expect(shown.json.data).toMatchObject({ status: 'active', leak: { url: FOUND, source: 'github:content' } });
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl]);
  });

  it('refuses a re-serialised report and a wrongly signed one with 401; the key keeps working', async () => {
    const issued: string[] = [];
    await using github = await startSecretScanning();
    await using stack = await startStack({ keystoreEnv: { KEYSTORE_GITHUB_KEYS_URL: github.keysUrl } });
    const test = await issueSettledKey(stack, issued, { environment: 'test', rateLimit: ROOMY }, [stack.adminUrl]);
    const report = `${stack.keystoreUrl}/v1/leaks/github`;
    const compact = JSON.stringify([match(test.key)]);
    const reserialised = await github.post(report, JSON.stringify([match(test.key)], null, 1), { signedBody: compact });
    const wrong = await github.post(report, compact, { signedBody: JSON.stringify([match(makeTestKey().key)]) });
    expect([reserialised.status, wrong.status]).toEqual([401, 401]);
    expect(await statusOf(stack.proxyUrl, PATH, test.key)).toBe(200);
    const shown = await stack.manage('GET', `/v1/keys/${test.id}`);
    expect(shown.json.data).toMatchObject({ status: 'active', leak: null });
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl]);
  });
});
