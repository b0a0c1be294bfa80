import { makeTestKey } from '@routemcp/api-key/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { EnvoyCheckClient, headerRecord } from '../testing/envoy-check-client.ts';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';
import { createAuthzGrpcServer, type AuthzGrpcServer } from './grpc-server.ts';

/** One answer, whichever entrance gave it: what a client of the gateway would see. */
interface Answer {
  status: number;
  body: string;
  retryAfter: string | undefined;
  keyId: string | undefined;
}

let upstream: RecordingUpstream;
let proxy: ProxyHarness;
let grpc: AuthzGrpcServer;
let envoy: EnvoyCheckClient;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url });
  grpc = createAuthzGrpcServer(proxy.servers.pipeline);
  envoy = new EnvoyCheckClient(await grpc.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  envoy.close();
  await grpc.close(1_000);
  await proxy.close();
  await upstream.close();
});

async function viaProxy(method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  const before = upstream.requests.length;
  const res = await sendRequest(proxy.url, { method, path, headers });
  const forwarded = upstream.requests.length > before ? upstream.requests.at(-1)! : undefined;
  return {
    status: res.status,
    // The upstream's own body is not the decision: only a refusal's envelope is compared.
    body: res.status === 200 ? '' : res.body,
    retryAfter: res.headers['retry-after'] as string | undefined,
    keyId: forwarded?.headers['x-routemcp-key-id'] as string | undefined,
  };
}

async function viaGrpc(method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  const answer = await envoy.check({ method, path, headers });
  if (answer.httpResponse === 'okResponse')
    return {
      status: 200,
      body: '',
      retryAfter: undefined,
      keyId: headerRecord(answer.okResponse?.headers)['x-routemcp-key-id'],
    };
  const denied = answer.deniedResponse!;
  return {
    status: JSON.parse(denied.body!).statusCode as number,
    body: denied.body!,
    retryAfter: headerRecord(denied.headers)['retry-after'],
    keyId: undefined,
  };
}

/** A fresh key per entrance: the two share one limiter, and a bucket spent by one would refuse the other. */
function freshKey(record: Partial<KeyRecord>): { authorization: string; id: string } {
  const { key } = makeTestKey('live');
  const stored = proxy.verifier.add(key, { environment: 'live', ...record });
  return { authorization: `Bearer ${key}`, id: stored.id };
}

const cases: {
  name: string;
  record: Partial<KeyRecord> | null;
  method?: string;
  path: string;
  /** Requests made before the compared one (to empty a bucket). */
  before?: number;
  status: number;
}[] = [
  { name: 'valid key', record: {}, path: '/api/v1/contacts?provider=hubspot', status: 200 },
  { name: 'no key', record: null, path: '/api/v1/contacts', status: 401 },
  {
    name: 'outside its permissions',
    record: { permissions: ['GET /api/v1/contacts'] },
    path: '/api/v1/deals',
    status: 403,
  },
  {
    name: 'another method',
    record: { permissions: ['GET /api/v1/contacts'] },
    method: 'DELETE',
    path: '/api/v1/contacts',
    status: 403,
  },
  { name: 'outside its addresses', record: { allowedIps: ['10.0.0.0/8'] }, path: '/api/v1/contacts', status: 403 },
  {
    name: 'bucket of 2, third request',
    record: { rateLimit: { capacity: 2, refillPerSecond: 1 } },
    path: '/api/v1/contacts',
    before: 2,
    status: 429,
  },
  {
    name: 'quota used up',
    record: { quota: { limit: 1, period: 'total', shared: false, used: 0, periodStart: 0 } },
    path: '/api/v1/contacts',
    before: 1,
    status: 429,
  },
];

describe('the gRPC Check and the proxy agree, for the same key and request', () => {
  it.each(cases)('$name → $status', async ({ record, method = 'GET', path, before = 0, status }) => {
    const answers: Answer[] = [];
    for (const entrance of [viaProxy, viaGrpc]) {
      const key = record === null ? null : freshKey(record);
      const headers: Record<string, string> = key === null ? {} : { authorization: key.authorization };
      for (let i = 0; i < before; i++) await entrance(method, path, headers);
      const answer = await entrance(method, path, headers);
      answers.push(answer);
      expect(answer.status).toBe(status);
      expect(answer.keyId).toBe(status === 200 ? key!.id : undefined);
    }
    const [proxied, checked] = answers as [Answer, Answer];
    expect(checked.body).toBe(proxied.body);
    expect(checked.retryAfter).toBe(proxied.retryAfter);
  });
});
