import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../events/event-hub.ts';
import { KeyService } from '../keys/key-service.ts';
import { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.ts';
import { fakeClock } from '../testing/fake-clock.ts';
import { ADMIN_TOKEN, startKeystore } from '../testing/keystore-harness.ts';
import type { Principal } from './principal.ts';
import { createKeystoreServer } from './server.ts';

const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('edge', () => {
  it('GET /healthz needs no token', async () => {
    await using ks = await startKeystore();
    const res = await fetch(`${ks.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"success":true,"data":{"status":"ok"}}');
  });

  it('GET /readyz is 200 while the database answers and a 503 envelope once it does not', async () => {
    await using ks = await startKeystore();
    const ready = await fetch(`${ks.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('{"success":true,"data":{"status":"ready"}}');
    await ks.storage.close();
    const down = await fetch(`${ks.baseUrl}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.text()).toBe(
      '{"success":false,"statusCode":503,"message":"Database unavailable","code":"SERVICE_UNAVAILABLE"}',
    );
  });

  it('without an admin token configured, the management API answers 401 to everyone', async () => {
    const clock = fakeClock();
    const store = new SqliteKeyStore({ path: ':memory:', now: clock.now() });
    const logger = pino({ level: 'silent' });
    const server = createKeystoreServer({
      keys: new KeyService({ store, clock }),
      hub: new EventHub({ store, logger }),
      logger,
      serviceToken: 'service-token-0123456789',
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const authorization of ['Bearer ', 'Bearer undefined', 'Bearer service-token-0123456789']) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/keys`, { headers: { authorization } });
        expect(res.status).toBe(401);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      store.close();
    }
  });

  it("checks a management caller's role before the route runs: a viewer reads keys and is refused a write", async () => {
    const clock = fakeClock();
    const store = new SqliteKeyStore({ path: ':memory:', now: clock.now() });
    const logger = pino({ level: 'silent' });
    const viewer: Principal = {
      kind: 'user',
      userId: 'usr_viewer',
      email: 'viewer@example.com',
      accountId: store.defaultAccountId,
      role: 'viewer',
      sessionIdHash: 'session-hash',
      csrfToken: 'csrf',
    };
    const server = createKeystoreServer({
      keys: new KeyService({ store, clock }),
      hub: new EventHub({ store, logger }),
      logger,
      serviceToken: 'service-token-0123456789',
      // A bearer-borne principal: no cookie, so no CSRF step between the caller and the role check.
      managementResolvers: [(req) => (req.headers.authorization === 'Bearer viewer' ? viewer : undefined)],
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const headers = {
        authorization: 'Bearer viewer',
        'content-type': 'application/json',
        origin: `http://127.0.0.1:${port}`,
        'x-csrf-token': 'csrf',
      };
      const list = await fetch(`http://127.0.0.1:${port}/v1/keys`, { headers });
      expect(list.status).toBe(200);
      const create = await fetch(`http://127.0.0.1:${port}/v1/keys`, {
        method: 'POST',
        headers,
        body: '{"environment":"test"}',
      });
      expect(create.status).toBe(403);
      expect(await create.json()).toEqual({
        success: false,
        statusCode: 403,
        message: 'Your role does not allow this',
        code: 'FORBIDDEN',
      });
      expect(await store.listKeys({}, clock.now())).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      store.close();
    }
  });

  it('404 for an unknown route, 405 with Allow for a wrong method', async () => {
    await using ks = await startKeystore();
    const missing = await fetch(`${ks.baseUrl}/v2/nothing`, { headers: AUTH });
    expect(await missing.text()).toBe('{"success":false,"statusCode":404,"message":"Not found","code":"NOT_FOUND"}');
    const wrong = await fetch(`${ks.baseUrl}/v1/keys`, { method: 'DELETE', headers: AUTH });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    expect(((await wrong.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('415 for a body that is not JSON-typed, 400 for invalid JSON', async () => {
    await using ks = await startKeystore();
    const typed = await fetch(`${ks.baseUrl}/v1/keys`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      body: '{"environment":"live"}',
    });
    expect(typed.status).toBe(415);
    expect(((await typed.json()) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const broken = await fetch(`${ks.baseUrl}/v1/keys`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json; charset=utf-8' },
      body: '{"environment":',
    });
    expect(await broken.text()).toBe(
      '{"success":false,"statusCode":400,"message":"body: invalid JSON","code":"BAD_REQUEST"}',
    );
  });

  it('413 on a declared Content-Length over the limit and on a streamed body that grows past it', async () => {
    await using ks = await startKeystore();
    const declared = await fetch(`${ks.baseUrl}/v1/keys`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'live', name: 'x'.repeat(100_000) }),
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');

    const { port } = ks.app.server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/v1/keys',
          headers: { ...AUTH, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // Chunked: no Content-Length, so the limit is enforced while counting.
      for (let i = 0; i < 100; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers an unexpected failure with 500 INTERNAL_ERROR and logs it', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const clock = fakeClock();
    const store = new SqliteKeyStore({ path: ':memory:', now: clock.now() });
    const broken = Object.create(store) as SqliteKeyStore;
    broken.getKey = () => {
      throw new Error('disk on fire');
    };
    const keys = new KeyService({ store: broken, clock });
    const server = createKeystoreServer({
      keys,
      hub: new EventHub({ store, logger }),
      logger,
      serviceToken: 'service-token-0123456789',
      adminToken: ADMIN_TOKEN,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/keys/key_x`, { headers: AUTH });
      expect(res.status).toBe(500);
      expect(await res.text()).toBe(
        '{"success":false,"statusCode":500,"message":"Internal server error","code":"INTERNAL_ERROR"}',
      );
      expect(lines.join('')).toContain('disk on fire');
      expect(lines.some((line) => line.includes('"route":"/v1/keys/:id"') && line.includes('"status":500'))).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      store.close();
    }
  });

  it('logs one line per request with the route pattern, never the key', async () => {
    const lines: string[] = [];
    await using ks = await startKeystore();
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const server = createKeystoreServer({
      keys: ks.app.keys,
      hub: ks.app.hub,
      logger,
      serviceToken: 'service-token-0123456789',
      adminToken: ADMIN_TOKEN,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/keys`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: '{"environment":"live"}',
      });
      const { data } = (await res.json()) as { data: { key: string } };
      await fetch(`http://127.0.0.1:${port}/v1/keys/${data.key}`, { headers: AUTH });
      const log = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(log[0]).toMatchObject({ msg: 'request', method: 'POST', route: '/v1/keys', status: 201 });
      expect(typeof log[0]?.ms).toBe('number');
      expect(lines.join('')).not.toContain(data.key);
      expect(lines.join('')).not.toContain(ADMIN_TOKEN);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
