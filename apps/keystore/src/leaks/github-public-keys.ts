import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { request } from 'undici';
import { z } from 'zod';
import type { Clock } from '../clock.ts';

/** GitHub's answer (a few keys; `key` is a PEM SubjectPublicKeyInfo). */
const publicKeysSchema = z.object({
  public_keys: z
    .array(z.object({ key_identifier: z.string().min(1).max(256), key: z.string().min(1).max(4096) }).loose())
    .max(100),
});

export type PublicKeyLookup = { ok: true; key: KeyObject } | { ok: false; reason: 'unknown' | 'unavailable' };

/** Why a fetch gave nothing usable: the only failure kinds anything past this adapter sees. */
type FetchFailure = { reason: 'status'; status: number } | { reason: 'network' | 'invalid' };

export interface GithubPublicKeysOptions {
  url: string;
  clock: Clock;
  logger: Logger;
  /** How long a fetched set is fresh. */
  ttlMs?: number;
  /** Least time between two fetches, whatever asks for them (an unknown identifier, an expired set, a failure). */
  minFetchGapMs?: number;
  timeoutMs?: number;
}

const MAX_BODY = 256 * 1024;

/**
 * GitHub's secret-scanning signing keys, by identifier. Fetched when first
 * needed, fresh for an hour, fetched again early when a report names a key
 * not in the set (GitHub rotated) but at most once a minute; when a fetch
 * fails or is refused (429, 5xx) the last set stays in use, however old, so a
 * rate-limited fetch loses no report (Unkey once did).
 */
export class GithubPublicKeys {
  readonly #url: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #gapMs: number;
  readonly #timeoutMs: number;
  #keys: ReadonlyMap<string, KeyObject> | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(options: GithubPublicKeysOptions) {
    this.#url = options.url;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#gapMs = options.minFetchGapMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async lookup(identifier: string): Promise<PublicKeyLookup> {
    if (this.#keys === undefined || this.#clock.now() - this.#fetchedAt >= this.#ttlMs) await this.#refresh();
    let key = this.#keys?.get(identifier);
    if (key === undefined && this.#keys !== undefined) {
      await this.#refresh();
      key = this.#keys?.get(identifier);
    }
    if (key !== undefined) return { ok: true, key };
    return { ok: false, reason: this.#keys === undefined ? 'unavailable' : 'unknown' };
  }

  /** Concurrent callers share one fetch; within the gap of the last attempt there is none. */
  #refresh(): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    const now = this.#clock.now();
    if (now - this.#attemptedAt < this.#gapMs) return Promise.resolve();
    this.#attemptedAt = now;
    this.#inflight = this.#fetch()
      .then((result) => {
        if (result instanceof Map) {
          this.#keys = result;
          this.#fetchedAt = this.#clock.now();
          return;
        }
        this.#logger.warn(
          { ...result, url: this.#url, stale: this.#keys !== undefined },
          'GitHub secret-scanning keys not fetched; using the last set',
        );
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  async #fetch(): Promise<Map<string, KeyObject> | FetchFailure> {
    let text: string;
    try {
      const { statusCode, body } = await request(this.#url, {
        headers: { accept: 'application/json', 'user-agent': 'routemcp-keystore' },
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (statusCode !== 200) {
        await body.dump();
        return { reason: 'status', status: statusCode };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY) {
          body.destroy();
          return { reason: 'invalid' };
        }
        chunks.push(chunk);
      }
      text = Buffer.concat(chunks).toString('utf8');
    } catch {
      return { reason: 'network' };
    }
    return parseKeys(text) ?? { reason: 'invalid' };
  }
}

/** The usable keys of an answer; undefined when it has none (a broken answer must not replace a good set). */
function parseKeys(text: string): Map<string, KeyObject> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = publicKeysSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const keys = new Map<string, KeyObject>();
  for (const entry of parsed.data.public_keys) {
    try {
      const key = createPublicKey(entry.key);
      // Only what GitHub signs with: ECDSA on P-256.
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
        keys.set(entry.key_identifier, key);
      }
    } catch {
      continue;
    }
  }
  return keys.size > 0 ? keys : undefined;
}
