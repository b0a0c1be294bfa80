import { request } from './http-client.ts';

export interface CreatedKey {
  id: string;
  key: string;
  environment: 'live' | 'test';
  hint: string;
}

export interface CreateKeyInput {
  environment: 'live' | 'test';
  name?: string;
  rateLimit?: { capacity: number; refillPerSecond: number };
}

/** The keystore's management API, as an operator or the dashboard calls it. */
export class KeystoreAdmin {
  readonly #baseUrl: string;
  readonly #token: string;

  constructor(options: { baseUrl: string; adminToken: string }) {
    this.#baseUrl = options.baseUrl;
    this.#token = options.adminToken;
  }

  createKey(input: CreateKeyInput): Promise<CreatedKey> {
    return this.#call('POST', '/v1/keys', input, 201);
  }

  async revoke(id: string): Promise<void> {
    await this.#call('POST', `/v1/keys/${id}/revoke`, {}, 200);
  }

  roll(id: string, gracePeriodSeconds: number): Promise<CreatedKey> {
    return this.#call('POST', `/v1/keys/${id}/roll`, { gracePeriodSeconds }, 201);
  }

  async #call<T>(method: string, path: string, body: unknown, expected: number): Promise<T> {
    const res = await request(`${this.#baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      bodyChunks: [JSON.stringify(body)],
    });
    // Only error bodies go into the message: a success body may hold a key.
    if (res.status !== expected)
      throw new Error(`keystore ${method} ${path}: ${res.status} ${res.status >= 400 ? res.body : ''}`);
    return (JSON.parse(res.body) as { data: T }).data;
  }
}
