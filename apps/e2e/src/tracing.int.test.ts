import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hash } from '@routemcp/api-key';
import { startRedis, type StartedRedis } from '@routemcp/testing';
import { CLIENT, OtlpReceiver, SERVER, type ReceivedSpan } from '@routemcp/tracing/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvoyCheck } from './envoy-check.ts';
import { freePort } from '@routemcp/testing/free-port';
import { startHttpFixture, type HttpFixture } from './http-fixture.ts';
import { issueKey, ROOMY, type IssuedKey } from './issue-key.ts';
import { rawRequest } from './raw-request.ts';
import { startStack, type Stack } from './stack.ts';

/** The caller's trace: a fresh trace id per test, and the caller's own span id. */
function callerTrace(): { traceId: string; parentId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

const ok = (req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');

let redis: StartedRedis;
let stack: Stack;
let upstream: HttpFixture;
/** http/json: the spans are read. */
let receiver: OtlpReceiver;
/** The default http/protobuf: only its bytes are searched. */
let protobufReceiver: OtlpReceiver;
/** Where the proxy with OTEL_SDK_DISABLED=true would export, if it did. */
let offReceiver: OtlpReceiver;
let traced: Awaited<ReturnType<Stack['startProxy']>>;
let authzUrl: string;
let grpcPort: number;
let protobuf: Awaited<ReturnType<Stack['startProxy']>>;
let off: Awaited<ReturnType<Stack['startProxy']>>;
let key: IssuedKey;
const issued: string[] = [];
const hints: string[] = [];
/** The first dashboard user, so a traced login's database spans can be searched for the email and password. */
const firstUser = {
  email: `trace-${randomBytes(4).toString('hex')}@example.test`,
  password: randomBytes(12).toString('hex'),
};

beforeAll(async () => {
  [redis, upstream, receiver, protobufReceiver, offReceiver] = await Promise.all([
    startRedis(),
    startHttpFixture(ok),
    OtlpReceiver.start(),
    OtlpReceiver.start(),
    OtlpReceiver.start(),
  ]);
  const json = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  stack = await startStack({
    redisUrl: redis.url,
    keystoreEnv: { ...json, KEYSTORE_ADMIN_EMAIL: firstUser.email, KEYSTORE_ADMIN_PASSWORD: firstUser.password },
  });
  const authzPort = await freePort();
  grpcPort = await freePort();
  traced = await stack.startProxy({
    ...json,
    UPSTREAM_URL: upstream.url,
    AUTHZ_PORT: String(authzPort),
    AUTHZ_GRPC_PORT: String(grpcPort),
  });
  authzUrl = `http://127.0.0.1:${authzPort}`;
  protobuf = await stack.startProxy({ UPSTREAM_URL: upstream.url, OTEL_EXPORTER_OTLP_ENDPOINT: protobufReceiver.url });
  off = await stack.startProxy({
    UPSTREAM_URL: upstream.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: offReceiver.url,
    OTEL_SDK_DISABLED: 'true',
  });
  key = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
  hints.push(key.hint);
}, 120_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await Promise.all([
    redis?.[Symbol.asyncDispose](),
    upstream?.[Symbol.asyncDispose](),
    receiver?.[Symbol.asyncDispose](),
    protobufReceiver?.[Symbol.asyncDispose](),
    offReceiver?.[Symbol.asyncDispose](),
  ]);
});

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Waits for the SERVER span `service` exported in `traceId`, whose attributes satisfy `match`. */
function serverSpan(traceId: string, service = 'routemcp-proxy'): Promise<ReceivedSpan> {
  return receiver.waitFor(() =>
    receiver.spans().find((span) => span.traceId === traceId && span.kind === SERVER && span.service === service),
  );
}

/** The upstream request that carried `traceId` in its traceparent. */
function upstreamRequestIn(traceId: string) {
  return upstream.requests.find((req) => String(req.headers.traceparent).split('-')[1] === traceId);
}

describe('tracing on (OTLP/HTTP)', () => {
  it("continues the caller's trace: the upstream's parent is the proxy's SERVER span, itself the caller's child", async () => {
    const caller = callerTrace();
    const answer = await rawRequest(traced.url, '/api/v1/contacts?provider=hubspot&token=s3cret', {
      ...bearer(key.key),
      traceparent: caller.traceparent,
      tracestate: 'caller=1',
    });
    expect(answer.status).toBe(200);

    const forwarded = upstreamRequestIn(caller.traceId);
    expect(forwarded, 'the upstream got our trace id').toBeDefined();
    // One traceparent (Node would join two into one string with ", "), ours: the caller's span is not the parent.
    const [version, traceId, parentId, flags] = String(forwarded!.headers.traceparent).split('-');
    expect([version, traceId, flags]).toEqual(['00', caller.traceId, '01']);
    expect(parentId).not.toBe(caller.parentId);
    expect(forwarded!.headers.tracestate).toBe('caller=1');

    const span = await serverSpan(caller.traceId);
    expect(span.spanId).toBe(parentId);
    expect(span.parentSpanId).toBe(caller.parentId);
    expect(span.attributes).toEqual({
      'routemcp.entrance': 'proxy',
      'server.address': '127.0.0.1',
      'http.request.method': 'GET',
      'url.path': '/api/v1/contacts',
      'http.response.status_code': 200,
      'routemcp.key.id': key.id,
    });

    // The key was not cached yet: its lookup is a child, and the keystore continued the trace under it.
    const lookup = await receiver.waitFor(() =>
      receiver.spans().find((s) => s.traceId === caller.traceId && s.name === 'keystore lookup'),
    );
    expect(lookup).toMatchObject({ kind: CLIENT, parentSpanId: span.spanId, service: 'routemcp-proxy' });
    expect(lookup.attributes['routemcp.lookup.result']).toBe('found');
    const keystoreSpan = await serverSpan(caller.traceId, 'routemcp-keystore');
    expect(keystoreSpan.parentSpanId).toBe(lookup.spanId);
    expect(keystoreSpan.attributes).toMatchObject({
      'http.route': '/internal/v1/keys/:hash',
      'url.path': '/internal/v1/keys/:hash',
      'http.response.status_code': 200,
    });
    // …and under it, the database read the lookup made: the store method, the engine, nothing of the key.
    const read = await receiver.waitFor(() =>
      receiver.spans().find((s) => s.traceId === caller.traceId && s.parentSpanId === keystoreSpan.spanId),
    );
    expect(read).toMatchObject({ kind: CLIENT, name: 'findByHash', service: 'routemcp-keystore', statusCode: 0 });
    expect(read.attributes).toEqual({ 'db.system.name': 'sqlite', 'db.operation.name': 'findByHash' });
    // A cold key asks Redis: the decision is a child too.
    const redisCall = await receiver.waitFor(() =>
      receiver.spans().find((s) => s.traceId === caller.traceId && s.name === 'EVALSHA'),
    );
    expect(redisCall).toMatchObject({ kind: CLIENT, parentSpanId: span.spanId });
  });

  it('a request without a traceparent starts a trace; a cached key has no lookup span, a lease hit no Redis span', async () => {
    // Hot: concurrent requests on one key, so the proxy leases tokens and most requests spend them locally.
    const answers = [];
    for (let round = 0; round < 5; round++)
      answers.push(
        ...(await Promise.all(Array.from({ length: 10 }, () => rawRequest(traced.url, '/hot', bearer(key.key))))),
      );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const traceIds = new Set(
      upstream.requests.filter((req) => req.url === '/hot').map((req) => String(req.headers.traceparent).split('-')[1]),
    );
    expect(traceIds.size, 'a new trace per request').toBe(50);
    const servers = await receiver.waitFor(() => {
      const found = receiver.spans().filter((s) => traceIds.has(s.traceId) && s.kind === SERVER);
      return found.length === 50 ? found : undefined;
    });
    expect(servers.every((s) => s.parentSpanId === '')).toBe(true);
    const children = receiver.spans().filter((s) => traceIds.has(s.traceId) && s.kind === CLIENT);
    expect(children.filter((s) => s.name === 'keystore lookup')).toEqual([]);
    const redisCalls = children.filter((s) => s.name === 'EVALSHA').length;
    expect(redisCalls, 'lease hits make no Redis call and no span').toBeLessThan(50);
  });

  it('a refusal is traced with its status and code, and no key id', async () => {
    const caller = callerTrace();
    const answer = await rawRequest(traced.url, '/api/v1/contacts', {
      ...bearer(`sk_live_${'x'.repeat(40)}`),
      traceparent: caller.traceparent,
    });
    expect(answer.status).toBe(401);
    const span = await serverSpan(caller.traceId);
    expect(span.parentSpanId).toBe(caller.parentId);
    expect(span.attributes['http.response.status_code']).toBe(401);
    expect(span.attributes['routemcp.refusal.code']).toBe('INVALID_API_KEY');
    expect(span.attributes['routemcp.key.id']).toBeUndefined();
    expect(upstreamRequestIn(caller.traceId)).toBeUndefined();
  });

  it('forward auth is traced: the original request, continued from the gateway', async () => {
    const caller = callerTrace();
    const answer = await rawRequest(authzUrl, '/authz', {
      ...bearer(key.key),
      'x-forwarded-method': 'POST',
      'x-forwarded-uri': '/api/v1/contacts?secret=1',
      traceparent: caller.traceparent,
    });
    expect(answer.status).toBe(200);
    const span = await serverSpan(caller.traceId);
    expect(span.parentSpanId).toBe(caller.parentId);
    expect(span.attributes).toMatchObject({
      'routemcp.entrance': 'authz',
      'http.request.method': 'POST',
      'url.path': '/api/v1/contacts',
      'http.response.status_code': 200,
      'routemcp.key.id': key.id,
    });
  });

  it('an Envoy gRPC Check is traced', async () => {
    const client = new EnvoyCheck(grpcPort);
    try {
      expect(await client.statusOf('/grpc-traced', key.key)).toBe('200');
    } finally {
      client.close();
    }
    const span = await receiver.waitFor(() =>
      receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === '/grpc-traced'),
    );
    expect(span.name).toBe('envoy.service.auth.v3.Authorization/Check');
    expect(span.attributes).toMatchObject({
      'routemcp.entrance': 'grpc',
      'http.response.status_code': 200,
      'routemcp.key.id': key.id,
    });
  });

  it("the keystore's management API and dashboard login trace their database calls", async () => {
    const traceparent = () => callerTrace().traceparent;
    const created = await fetch(`${stack.keystoreUrl}/v1/keys`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.adminToken}`,
        'content-type': 'application/json',
        traceparent: traceparent(),
      },
      body: JSON.stringify({ environment: 'test' }),
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: IssuedKey };
    issued.push(data.key);
    hints.push(data.hint);
    const form = await fetch(`${stack.keystoreUrl}/login`);
    const csrf = /routemcp_login=([^;]+)/.exec(form.headers.getSetCookie().join('\n'))?.[1] ?? '';
    const login = await fetch(`${stack.keystoreUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: stack.keystoreUrl,
        cookie: `routemcp_login=${csrf}`,
        traceparent: traceparent(),
      },
      body: new URLSearchParams({ ...firstUser, _csrf: csrf }),
    });
    expect([login.status, login.headers.get('location')], 'logged in').toEqual([303, '/keys']);

    const operations = (route: string) =>
      receiver.waitFor(() => {
        const server = receiver
          .spans()
          .find((s) => s.service === 'routemcp-keystore' && s.kind === SERVER && s.name === route);
        if (server === undefined) return undefined;
        const children = receiver.spans().filter((s) => s.parentSpanId === server.spanId && s.kind === CLIENT);
        return children.length > 0 ? children.map((s) => s.attributes['db.operation.name']) : undefined;
      });
    expect(await operations('POST /v1/keys')).toContain('createKey');
    expect(await operations('POST /login')).toContain('findUserByEmail');
  });

  it('exports over http/protobuf by default', async () => {
    const caller = callerTrace();
    expect(
      (await rawRequest(protobuf.url, '/proto', { ...bearer(key.key), traceparent: caller.traceparent })).status,
    ).toBe(200);
    // The trace id travels as its 16 raw bytes in protobuf.
    const traceIdBytes = Buffer.from(caller.traceId, 'hex');
    const received = await protobufReceiver.waitFor(() =>
      protobufReceiver.exports.find((e) => e.body.includes(traceIdBytes)),
    );
    expect(received.contentType).toBe('application/x-protobuf');
  });
});

describe('tracing off', () => {
  it("exports nothing with OTEL_SDK_DISABLED=true and hands the caller's traceparent on untouched", async () => {
    const caller = callerTrace();
    expect(
      (await rawRequest(off.url, '/off', { ...bearer(key.key), traceparent: caller.traceparent, tracestate: 'c=1' }))
        .status,
    ).toBe(200);
    const forwarded = upstreamRequestIn(caller.traceId);
    expect(forwarded?.headers.traceparent).toBe(caller.traceparent);
    expect(forwarded?.headers.tracestate).toBe('c=1');
    // A stopped proxy has flushed whatever it would ever export (its shutdown flushes the exporter when on).
    expect(await off.app.stop()).toBe(0);
    expect(offReceiver.exports).toEqual([]);
  });
});

describe('what the spans never carry', () => {
  it('no key, key hash, hint, email, password, token or query string in any exported byte', async () => {
    // Stopping the traced apps flushes their last batches (graceful shutdown).
    await Promise.all([traced.app.stop(), protobuf.app.stop(), stack.apps.keystore.stop()]);
    const everything = Buffer.concat([...receiver.exports, ...protobufReceiver.exports].map((e) => e.body));
    expect(everything.length).toBeGreaterThan(0);
    const credentials = [firstUser.email, firstUser.password, stack.adminToken, stack.serviceToken];
    for (const secret of [...issued, ...issued.map(hash), ...hints, ...credentials, 's3cret', 'secret=1', 'token='])
      expect(everything.includes(secret), `exported bytes contain ${secret.slice(0, 12)}…`).toBe(false);
  });
});
