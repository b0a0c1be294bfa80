import { errorBody } from '@routemcp/errors';
import { docker } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request } from './http-client.ts';
import { poll } from './poll.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const contacts = (key: string) =>
  request(`${stack.baseUrl}/api/v1/contacts?provider=hubspot`, { headers: bearer(key) });

describe('the keystore down: auth fails closed, known keys keep working', () => {
  it('serves cached keys, answers 503 AUTH_UNAVAILABLE (never 401, never through) for uncached ones', async () => {
    const [cached, uncached] = await Promise.all([
      stack.admin.createKey({ environment: 'live' }),
      stack.admin.createKey({ environment: 'live' }),
    ]);
    expect((await contacts(cached.key)).status).toBe(200);
    await docker('stop', '--time', '0', stack.keystore.getId());

    for (let i = 0; i < 5; i += 1) expect((await contacts(cached.key)).status).toBe(200);
    const refused = await contacts(uncached.key);
    expect(refused.status).toBe(503);
    expect(refused.body).toBe(errorBody('AUTH_UNAVAILABLE'));

    await docker('start', stack.keystore.getId());
    await poll('the uncached key to work once the keystore is back', async () =>
      (await contacts(uncached.key)).status === 200 ? true : undefined,
    );
  });
});
