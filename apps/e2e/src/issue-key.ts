import { sampleSum, scrape } from './admin-metrics.ts';
import type { Stack } from './stack.ts';
import { until } from './traffic.ts';

export interface IssuedKey {
  id: string;
  key: string;
  accountId: string;
  hint: string;
}

/**
 * `POST /v1/keys` through the management API. Every key issued is pushed to
 * `issued`, so a file can finally check that none of them leaked into logs.
 */
export async function issueKey(stack: Stack, issued: string[], body: Record<string, unknown>): Promise<IssuedKey> {
  const { status, json } = await stack.manage('POST', '/v1/keys', body);
  if (status !== 201) throw new Error(`POST /v1/keys answered ${status}: ${JSON.stringify(json)}`);
  issued.push(json.data.key);
  return json.data;
}

/** A bucket no test here will drain: the scenario is about auth, not limits. */
export const ROOMY = { capacity: 100_000, refillPerSecond: 1_000 };

/**
 * `issueKey`, then waits until every given proxy has applied the key's
 * `created` event. That event evicts the key's hash, so a key warmed before
 * it lands is dropped from the cache again a moment later, and a scenario
 * that relies on it being cached (a keystore outage) would race it.
 */
export async function issueSettledKey(
  stack: Stack,
  issued: string[],
  body: Record<string, unknown>,
  adminUrls: readonly string[],
): Promise<IssuedKey> {
  const created = (adminUrl: string) =>
    scrape(adminUrl).then((text) => sampleSum(text, 'routemcp_proxy_key_events_total', { type: 'created' }));
  const before = await Promise.all(adminUrls.map(created));
  const key = await issueKey(stack, issued, body);
  await Promise.all(
    adminUrls.map(async (adminUrl, i) => {
      const seen = await until(
        () => created(adminUrl),
        (n) => n > before[i]!,
        { timeoutMs: 5000, intervalMs: 20 },
      );
      if (seen <= before[i]!) throw new Error(`${adminUrl} did not apply the created event`);
    }),
  );
  return key;
}
