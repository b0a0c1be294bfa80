import type { Stack } from './stack.ts';

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
