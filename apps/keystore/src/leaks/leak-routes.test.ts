import { describe, expect, it } from 'vitest';
import { hash } from '@routemcp/api-key';
import { makeTestKey } from '@routemcp/api-key/testing';
import { startSecretScanning, type SecretScanningMatch } from '@routemcp/testing/secret-scanning';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

const HOUR = 3_600_000;
/** Our prefix, length and alphabet, no CRC32 of ours; built at run time so no scanner mistakes it for a key. */
const STRIPE_LIKE = `sk_live_${'NotARealKey0'.repeat(4).slice(0, 38)}`;
const FOUND = 'https://github.com/octo/repo/blob/2f1c0de/config/.env';

async function issue(ks: Harness, environment: 'live' | 'test'): Promise<{ id: string; key: string }> {
  const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment } });
  const { data } = (await res.json()) as { data: { id: string; key: string } };
  return data;
}

const match = (token: string, source = 'content'): SecretScanningMatch => ({
  token,
  type: 'routemcp_api_key',
  url: FOUND,
  source,
});

describe('POST /v1/leaks/github', () => {
  it('labels one live key, one test key and an unknown token true/true/false; revokes the test key, flags the live one', async () => {
    await using github = await startSecretScanning();
    await using ks = await startKeystore({ githubKeysUrl: github.keysUrl });
    const live = await issue(ks, 'live');
    const test = await issue(ks, 'test');
    const unknown = makeTestKey('live').key;
    const matches = [match(live.key), match(test.key, 'commit'), match(unknown), match(STRIPE_LIKE)];

    const res = await github.post(`${ks.baseUrl}/v1/leaks/github`, JSON.stringify(matches));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual([
      { token_hash: hash(live.key), token_type: 'routemcp_api_key', label: 'true_positive' },
      { token_hash: hash(test.key), token_type: 'routemcp_api_key', label: 'true_positive' },
      { token_hash: hash(unknown), token_type: 'routemcp_api_key', label: 'false_positive' },
      { token_hash: hash(STRIPE_LIKE), token_type: 'routemcp_api_key', label: 'false_positive' },
    ]);

    const at = new Date(ks.clock.now()).toISOString();
    const shown = async (id: string) => ((await (await ks.admin(`/v1/keys/${id}`)).json()) as { data: unknown }).data;
    expect(await shown(live.id)).toMatchObject({
      status: 'active',
      leak: { at, url: FOUND, source: 'github:content' },
    });
    expect(await shown(test.id)).toMatchObject({
      status: 'revoked',
      leak: { at, url: FOUND, source: 'github:commit' },
    });
    const list = (await (await ks.admin('/v1/keys')).json()) as { data: { id: string; leak: unknown }[] };
    expect(list.data.find((k) => k.id === live.id)?.leak).toEqual({ at, url: FOUND, source: 'github:content' });
    const events = await ks.store.eventsAfter(2, 10);
    expect(events.map((e) => [e.type, e.keyId])).toEqual([['revoked', test.id]]);
    const audit = await ks.accounts.listAudit({ limit: 10 });
    expect(audit.filter((e) => e.action === 'key.leaked').map((e) => [e.actor, e.target])).toEqual(
      expect.arrayContaining([
        ['github', live.id],
        ['github', test.id],
      ]),
    );
    expect(audit.filter((e) => e.action === 'key.leaked')).toHaveLength(2);
  });

  it('changes nothing when the same token is reported again: no second audit row, no second event', async () => {
    await using github = await startSecretScanning();
    await using ks = await startKeystore({ githubKeysUrl: github.keysUrl });
    const test = await issue(ks, 'test');
    const body = JSON.stringify([match(test.key)]);
    expect((await github.post(`${ks.baseUrl}/v1/leaks/github`, body)).status).toBe(200);
    const seq = await ks.store.latestSeq();
    ks.clock.advance(60_000);
    const again = await github.post(
      `${ks.baseUrl}/v1/leaks/github`,
      JSON.stringify([{ ...match(test.key), url: 'x' }]),
    );
    expect(((await again.json()) as { label: string }[])[0]?.label).toBe('true_positive');
    expect(await ks.store.latestSeq()).toBe(seq);
    const leaked = (await ks.accounts.listAudit({ limit: 10 })).filter((e) => e.action === 'key.leaked');
    expect(leaked).toHaveLength(1);
    expect((await ks.store.getKey(test.id))?.leak?.url).toBe(FOUND);
  });

  it('refuses a re-serialised body (same JSON, other bytes), a wrong signature, an unknown key id or no signature: 401, nothing revoked', async () => {
    await using github = await startSecretScanning();
    await using ks = await startKeystore({ githubKeysUrl: github.keysUrl });
    const test = await issue(ks, 'test');
    const matches = [match(test.key)];
    const compact = JSON.stringify(matches);
    const url = `${ks.baseUrl}/v1/leaks/github`;
    const refused = [
      await github.post(url, JSON.stringify(matches, null, 2), { signedBody: compact }),
      await github.post(url, compact, { signedBody: `${compact} ` }),
      await github.post(url, compact, { identifier: 'not-a-github-key' }),
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: compact }),
      await fetch(url, {
        method: 'POST',
        headers: {
          'github-public-key-identifier': github.keyIdentifier(),
          'github-public-key-signature': 'bm90IGEgc2lnbmF0dXJl',
        },
        body: compact,
      }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ success: false, code: 'UNAUTHORIZED' });
    }
    expect(await ks.store.getKey(test.id)).toMatchObject({ revokedAt: null, leak: null });
    expect(await ks.store.eventsAfter(1, 10)).toEqual([]);
  });

  it('still verifies with the cached keys when the keys URL answers 429 an hour later', async () => {
    await using github = await startSecretScanning();
    await using ks = await startKeystore({ githubKeysUrl: github.keysUrl });
    const first = await issue(ks, 'test');
    expect((await github.post(`${ks.baseUrl}/v1/leaks/github`, JSON.stringify([match(first.key)]))).status).toBe(200);
    github.answer(429);
    ks.clock.advance(HOUR);
    const second = await issue(ks, 'test');
    const res = await github.post(`${ks.baseUrl}/v1/leaks/github`, JSON.stringify([match(second.key)]));
    expect(res.status).toBe(200);
    expect(github.fetches()).toBe(2);
    expect((await ks.store.getKey(second.id))?.revokedAt).toBe(ks.clock.now());
  });

  it('answers 503 while no key set was ever fetched, 413 past 5 MiB, 400 for a signed body that is not a report', async () => {
    await using github = await startSecretScanning();
    await using ks = await startKeystore({ githubKeysUrl: github.keysUrl });
    const url = `${ks.baseUrl}/v1/leaks/github`;
    github.answer(429);
    expect((await github.post(url, '[]')).status).toBe(503);
    github.answer(200);
    ks.clock.advance(60_000);
    expect((await github.post(url, 'x'.repeat(5 * 1024 * 1024 + 1))).status).toBe(413);
    expect((await github.post(url, '{"token":"a"}')).status).toBe(400);
    expect((await github.post(url, '[')).status).toBe(400);
    expect(await (await github.post(url, '[]')).json()).toEqual([]);
  });
});

describe('POST /v1/leaks', () => {
  it('handles keys and key hashes from a scanner like a GitHub report, with a result per item', async () => {
    await using ks = await startKeystore({ leakPolicy: { live: 'expire', test: 'notify', graceSeconds: 600 } });
    const live = await issue(ks, 'live');
    const test = await issue(ks, 'test');
    const res = await ks.admin('/v1/leaks', {
      method: 'POST',
      json: { keys: [live.key, STRIPE_LIKE], keyHashes: [hash(test.key)], url: FOUND, source: 'gitleaks' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown }).data).toEqual([
      { keyHash: hash(live.key), label: 'true_positive', keyId: live.id },
      { keyHash: hash(STRIPE_LIKE), label: 'false_positive', keyId: null },
      { keyHash: hash(test.key), label: 'true_positive', keyId: test.id },
    ]);
    expect(await ks.store.getKey(live.id)).toMatchObject({
      expiresAt: ks.clock.now() + 600_000,
      leak: { url: FOUND, source: 'gitleaks' },
    });
    expect(await ks.store.getKey(test.id)).toMatchObject({ expiresAt: null, revokedAt: null });
    const leaked = (await ks.accounts.listAudit({ limit: 10 })).filter((e) => e.action === 'key.leaked');
    expect(leaked.map((e) => e.actor)).toEqual(['operator', 'operator']);
  });

  it('needs credentials and at least one item, and refuses unknown fields', async () => {
    await using ks = await startKeystore();
    const anonymous = await fetch(`${ks.baseUrl}/v1/leaks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keys: ['x'], url: FOUND, source: 'gitleaks' }),
    });
    expect(anonymous.status).toBe(401);
    const empty = await ks.admin('/v1/leaks', { method: 'POST', json: { url: FOUND, source: 'gitleaks' } });
    expect(await empty.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^keys: expected 1\.\./),
    });
    const extra = await ks.admin('/v1/leaks', {
      method: 'POST',
      json: { keys: ['x'], url: FOUND, source: 'gitleaks', token: 'x' },
    });
    expect(await extra.json()).toMatchObject({ statusCode: 400, message: 'token: unknown field' });
  });
});
