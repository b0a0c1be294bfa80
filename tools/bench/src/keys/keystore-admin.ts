import { hint } from '@routemcp/api-key';

export interface IssuedKey {
  id: string;
  /** The secret itself: goes into request headers only, never into output (use `hint`). */
  key: string;
  hint: string;
}

/** The keystore's maximum (1e6 each): far above any rate this machine reaches, so the bucket is exercised, never hit. */
export const UNLIMITED = { capacity: 1_000_000, refillPerSecond: 1_000_000 };

/** The keystore's management API, as the bench needs it. */
export class KeystoreAdmin {
  readonly #url: string;
  readonly #token: string;

  constructor(options: { url: string; adminToken: string }) {
    this.#url = options.url;
    this.#token = options.adminToken;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.#url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await res.json()) as { success?: boolean; data?: unknown; message?: string };
    if (!res.ok || json.success !== true)
      throw new Error(`keystore ${method} ${path} → ${res.status} ${json.message ?? ''}`);
    return json.data;
  }

  async createKey(): Promise<IssuedKey> {
    const data = (await this.#call('POST', '/v1/keys', { environment: 'live', rateLimit: UNLIMITED })) as {
      id: string;
      key: string;
    };
    return { id: data.id, key: data.key, hint: hint(data.key) };
  }

  async revoke(id: string): Promise<void> {
    await this.#call('POST', `/v1/keys/${encodeURIComponent(id)}/revoke`);
  }

  /** `count` keys with `parallel` requests in flight: the keystore's own write path sets the pace. */
  async createKeys(count: number, parallel = 32): Promise<IssuedKey[]> {
    const keys: IssuedKey[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        keys.push(await this.createKey());
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
    return keys;
  }
}
