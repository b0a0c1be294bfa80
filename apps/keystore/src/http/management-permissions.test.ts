import { describe, expect, it } from 'vitest';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

interface Answer {
  data?: { id: string; permissions?: string[] | null };
  message?: string;
}

async function call(ks: Harness, path: string, method: string, json: unknown) {
  const res = await ks.admin(path, { method, json });
  return { status: res.status, body: (await res.json()) as Answer };
}

const envelope = (message: string) => ({
  status: 400,
  body: { success: false, statusCode: 400, message, code: 'BAD_REQUEST' },
});

const NO_CANONICAL_FORM = 'the path may not contain';

/**
 * The proxy matches permissions against the canonical request path
 * (docs/security.md), so a permission whose path is not canonical would
 * match nothing, or not what it reads as: refused when a key is saved.
 */
const NOT_CANONICAL: [string, string][] = [
  ['GET /api/%2e%2e/admin', `${NO_CANONICAL_FORM} an encoded dot (%2E)`],
  ['GET /api/%2E', `${NO_CANONICAL_FORM} an encoded dot (%2E)`],
  ['GET /api/..;/admin', `${NO_CANONICAL_FORM} a . or .. segment with parameters (.;x, ..;, ..%3B)`],
  ['GET /api/.;x', `${NO_CANONICAL_FORM} a . or .. segment with parameters (.;x, ..;, ..%3B)`],
  ['* /api/..%3B/**', `${NO_CANONICAL_FORM} a . or .. segment with parameters (.;x, ..;, ..%3B)`],
  ['GET /public%5Csecret', `${NO_CANONICAL_FORM} an encoded backslash (%5C)`],
  ['GET /api/%7Euser', 'the path is not in canonical form: write it as /api/~user'],
  ['GET /caf%c3%a9/*', 'the path is not in canonical form: write it as /caf%C3%A9/*'],
];

describe('permissions that are not canonical, through the management API', () => {
  it.each(NOT_CANONICAL)('POST refuses %j with a 400 naming it, and stores nothing', async (permission, problem) => {
    await using ks = await startKeystore();
    const created = await call(ks, '/v1/keys', 'POST', {
      environment: 'live',
      permissions: ['GET /api/v1/contacts', permission],
    });
    expect(created).toEqual(envelope(`permissions.1: ${problem}`));
    expect(await ks.store.latestSeq()).toBe(0);
  });

  it.each(NOT_CANONICAL)('PATCH refuses %j with a 400 naming it, and changes nothing', async (permission, problem) => {
    await using ks = await startKeystore();
    const created = await call(ks, '/v1/keys', 'POST', { environment: 'live', permissions: ['GET /api/**'] });
    const id = created.body.data!.id;
    const seq = await ks.store.latestSeq();
    expect(await call(ks, `/v1/keys/${id}`, 'PATCH', { permissions: [permission] })).toEqual(
      envelope(`permissions.0: ${problem}`),
    );
    expect(await ks.store.latestSeq()).toBe(seq);
    const res = await ks.admin(`/v1/keys/${id}`);
    expect(((await res.json()) as Answer).data?.permissions).toEqual(['GET /api/**']);
  });

  it('accepts the canonical spelling it names', async () => {
    await using ks = await startKeystore();
    const created = await call(ks, '/v1/keys', 'POST', {
      environment: 'live',
      permissions: ['get /api/~user', 'GET /caf%C3%A9/*'],
    });
    expect(created.status).toBe(201);
    expect(created.body.data?.permissions).toEqual(['GET /api/~user', 'GET /caf%C3%A9/*']);
  });
});
