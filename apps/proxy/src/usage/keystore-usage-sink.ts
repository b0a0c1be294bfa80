import { USAGE_PATH, type UsageBatch } from '@routemcp/internal-api';
import { systemClock, type Clock } from '../clock.ts';
import { KeystoreReplicas, REPLICA_BREAKER } from '../key-lookup/index.ts';
import type { UsageEntry, UsageSink } from './usage-recorder.ts';

export interface KeystoreUsageSinkOptions {
  /** The keystore replicas (KEYSTORE_URL); every replica adds a batch into the same rows. */
  keystoreUrls: readonly string[];
  serviceToken: string;
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * Posts usage batches to the keystore's internal API (docs/internal-api.md),
 * to the replica that took the last one, and on to the next while replicas
 * refuse, reset, time out or answer 5xx. A batch that fails everywhere is
 * merged back by the recorder and sent with the next one. A timed-out batch
 * may have been recorded all the same, so it can count twice: the same
 * at-least-once as the retry of a single keystore.
 */
export class KeystoreUsageSink implements UsageSink {
  readonly #replicas: KeystoreReplicas;
  readonly #authorization: string;
  readonly #timeoutMs: number;

  constructor(options: KeystoreUsageSinkOptions) {
    this.#replicas = new KeystoreReplicas({
      urls: options.keystoreUrls.map((url) => new URL(USAGE_PATH, url).toString()),
      clock: options.clock ?? systemClock,
      ...REPLICA_BREAKER,
    });
    this.#authorization = `Bearer ${options.serviceToken}`;
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  async send(entries: UsageEntry[]): Promise<void> {
    const body = JSON.stringify({ entries } satisfies UsageBatch);
    const status = await this.#replicas.call(async ({ url }) => {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: this.#authorization, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        await res.arrayBuffer();
        return { answered: res.status < 500, value: res.status };
      } catch {
        return { answered: false, value: undefined };
      }
    });
    if (status !== 202) throw new Error(`no keystore replica took the usage batch (last answer: ${status ?? 'none'})`);
  }
}
