import { USAGE_PATH, type UsageBatch } from '@routemcp/internal-api';
import type { UsageEntry, UsageSink } from './usage-recorder.ts';

/** Posts usage batches to the keystore's internal API (docs/internal-api.md). */
export class KeystoreUsageSink implements UsageSink {
  readonly #url: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;

  constructor(options: { keystoreUrl: string; serviceToken: string; timeoutMs?: number }) {
    this.#url = new URL(USAGE_PATH, options.keystoreUrl).toString();
    this.#authorization = `Bearer ${options.serviceToken}`;
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  async send(entries: UsageEntry[]): Promise<void> {
    const res = await fetch(this.#url, {
      method: 'POST',
      headers: { authorization: this.#authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ entries } satisfies UsageBatch),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`keystore answered ${res.status} to a usage batch`);
  }
}
