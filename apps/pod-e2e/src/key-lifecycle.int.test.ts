import { errorBody } from '@routemcp/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request } from './http-client.ts';
import { poll } from './poll.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;
const INVALID = errorBody('INVALID_API_KEY');
// Far longer than an event takes, far shorter than the proxy's 30 s cache TTL: a 401 within it came from the event.
const EVENT_BOUND_MS = 5_000;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const contacts = (key: string) =>
  request(`${stack.baseUrl}/api/v1/contacts?provider=hubspot`, { headers: bearer(key) });

describe('keys through their life, at the pod', () => {
  it('a revoked key is refused at once, though the proxy had it cached', async () => {
    const created = await stack.admin.createKey({ environment: 'live' });
    expect((await contacts(created.key)).status).toBe(200);
    await stack.admin.revoke(created.id);
    const refused = await poll(
      'the revoked key to be refused',
      async () => {
        const res = await contacts(created.key);
        return res.status === 401 ? res : undefined;
      },
      { timeoutMs: EVENT_BOUND_MS, intervalMs: 20 },
    );
    expect(refused.body).toBe(INVALID);
  });

  it('a rolled key: the new one works at once, the old one until its grace period ends', async () => {
    const old = await stack.admin.createKey({ environment: 'test' });
    expect((await contacts(old.key)).status).toBe(200);
    const rolled = await stack.admin.roll(old.id, 2);
    expect(rolled.key).not.toBe(old.key);
    expect((await contacts(rolled.key)).status).toBe(200);
    expect((await contacts(old.key)).status).toBe(200);
    const refused = await poll(
      'the old key to expire after its grace period',
      async () => {
        const res = await contacts(old.key);
        return res.status === 401 ? res : undefined;
      },
      { timeoutMs: 2_000 + EVENT_BOUND_MS, intervalMs: 100 },
    );
    expect(refused.body).toBe(INVALID);
    expect((await contacts(rolled.key)).status).toBe(200);
  });

  it('a roll with no grace period stops the old key at once', async () => {
    const old = await stack.admin.createKey({ environment: 'live' });
    expect((await contacts(old.key)).status).toBe(200);
    const rolled = await stack.admin.roll(old.id, 0);
    await poll('the old key to be refused', async () => ((await contacts(old.key)).status === 401 ? true : undefined), {
      timeoutMs: EVENT_BOUND_MS,
      intervalMs: 20,
    });
    expect((await contacts(rolled.key)).status).toBe(200);
  });
});
