import { makeTestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { createLimiter } from '../rate-limit/index.ts';
import { EnvoyCheckClient, headerRecord } from '../testing/envoy-check-client.ts';
import { sendRequest } from '../testing/http-request.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';
import { createAuthzGrpcServer } from './grpc-server.ts';

/**
 * The three ways in — the proxy port, HTTP `/authz` and Envoy's gRPC
 * `Check` — asked the same request with the same kind of key must give the
 * client the same answer: status, envelope, RateLimit-* and Retry-After, and
 * on an allow the same identity for the upstream.
 */

const RATE_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy', 'retry-after'];

/** One answer, whichever entrance gave it: what the client and the upstream would see. */
interface Answer {
  status: number;
  /** The refusal's envelope; empty on an allow (the upstream's own body is not the decision). */
  body: string;
  /** RATE_HEADERS present on the client's response. */
  rate: Record<string, string>;
  /** The non-empty `x-routemcp-*` headers the upstream would receive; null when nothing is forwarded. */
  identity: Record<string, string> | null;
}

type Headers = Record<string, string>;
type Entrance = (method: string, path: string, headers: Headers) => Promise<Answer>;

function pick(headers: Record<string, string | string[] | undefined>, names: readonly string[]): Headers {
  const out: Headers = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** Empty values dropped: HTTP `/authz` sends all five, empty when unset, where the others send none. */
function identityOf(headers: Record<string, string | string[] | undefined>): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers))
    if (name.startsWith('x-routemcp-') && typeof value === 'string' && value !== '') out[name] = value;
  return out;
}

function viaProxy(proxy: ProxyHarness, upstream: RecordingUpstream): Entrance {
  return async (method, path, headers) => {
    const before = upstream.requests.length;
    const res = await sendRequest(proxy.url, { method, path, headers });
    const forwarded = upstream.requests.length > before ? upstream.requests.at(-1)! : undefined;
    return {
      status: res.status,
      body: res.status === 200 ? '' : res.body,
      rate: pick(res.headers, RATE_HEADERS),
      identity: forwarded === undefined ? null : identityOf(forwarded.headers),
    };
  };
}

function viaAuthz(proxy: ProxyHarness): Entrance {
  return async (method, path, headers) => {
    const original = { 'x-forwarded-method': method, 'x-forwarded-uri': path };
    const res = await sendRequest(`${proxy.authzUrl}/authz`, { headers: { ...headers, ...original } });
    return {
      status: res.status,
      body: res.body,
      rate: pick(res.headers, RATE_HEADERS),
      identity: res.status === 200 ? identityOf(res.headers) : null,
    };
  };
}

function viaGrpc(envoy: EnvoyCheckClient): Entrance {
  return async (method, path, headers) => {
    const answer = await envoy.check({ method, path, headers });
    if (answer.httpResponse === 'okResponse')
      return {
        status: 200,
        body: '',
        rate: pick(headerRecord(answer.okResponse?.responseHeadersToAdd), RATE_HEADERS),
        identity: identityOf(headerRecord(answer.okResponse?.headers)),
      };
    const denied = answer.deniedResponse!;
    return {
      status: JSON.parse(denied.body!).statusCode as number,
      body: denied.body!,
      rate: pick(headerRecord(denied.headers), RATE_HEADERS),
      identity: null,
    };
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/**
 * One proxy (all three entrances) per case, with the real in-memory limiter
 * on a clock that does not move: Retry-After and RateLimit-Reset then depend
 * on the bucket alone, not on how long a loaded machine took between asks.
 */
async function setup() {
  const clock = new ManualClock();
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const registry = new Registry();
  const realLimiter = createLimiter({ redisTimeoutMs: 50, registry, logger: pino({ level: 'silent' }), clock });
  const proxy = await startProxy({ upstreamUrl: upstream.url, registry, realLimiter, clock });
  cleanups.push(() => proxy.close());
  const grpc = createAuthzGrpcServer(proxy.servers.pipeline);
  const envoy = new EnvoyCheckClient(await grpc.listen(0, '127.0.0.1'));
  cleanups.push(async () => {
    envoy.close();
    await grpc.close(1_000);
  });
  const entrances: [string, Entrance][] = [
    ['proxy', viaProxy(proxy, upstream)],
    ['/authz', viaAuthz(proxy)],
    ['gRPC', viaGrpc(envoy)],
  ];
  return { proxy, entrances };
}

interface Case {
  name: string;
  /** The key's record; 'unknown' sends a well-formed key the keystore does not know; null sends none. */
  record: Partial<KeyRecord> | 'unknown' | null;
  method?: string;
  path?: string;
  /** Requests made before the compared one (to empty a bucket). */
  before?: number;
  keystoreDown?: boolean;
  status: number;
  /** The compared answer must carry these (so an agreement on "absent" is not vacuous). */
  rateHeaders?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: 'allowed',
    record: {
      accountId: 'acct_42',
      ownerId: 'cus_7',
      metadata: { plan: 'pro' },
      rateLimit: { capacity: 5, refillPerSecond: 1 },
    },
    path: '/api/v1/contacts?provider=hubspot',
    status: 200,
    rateHeaders: ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-policy'],
  },
  { name: 'no key', record: null, status: 401 },
  { name: 'bad key', record: 'unknown', status: 401 },
  { name: 'forbidden path', record: { permissions: ['GET /api/v1/contacts'] }, path: '/api/v1/deals', status: 403 },
  {
    name: 'forbidden method',
    record: { permissions: ['GET /api/v1/contacts'] },
    method: 'DELETE',
    status: 403,
  },
  {
    name: 'rate limited',
    record: { rateLimit: { capacity: 2, refillPerSecond: 0.5 } },
    before: 2,
    status: 429,
    rateHeaders: ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-policy'],
  },
  {
    name: 'quota exceeded',
    record: { quota: { limit: 1, period: 'total', shared: false, used: 0, periodStart: 0 } },
    before: 1,
    status: 429,
  },
  { name: 'keystore down', record: 'unknown', keystoreDown: true, status: 503 },
  // The proxy refuses this target too; one it would rewrite (`/a//b`) is refused by forward auth alone (authz-http.test.ts).
  { name: 'non-canonical target', record: {}, path: '/public/%2e%2e/api/v1/deals', status: 400 },
];

describe('the proxy port, HTTP /authz and gRPC Check agree, for the same key and request', () => {
  it.each(CASES)('$name → $status', async (c) => {
    const { proxy, entrances } = await setup();
    if (c.keystoreDown === true) proxy.verifier.otherwise({ ok: false, reason: 'unavailable' });
    const { method = 'GET', path = '/api/v1/contacts', before = 0, status } = c;
    const answers: Answer[] = [];
    for (const [, entrance] of entrances) {
      // A fresh key per entrance: the three share one limiter, and a bucket spent by one would refuse the next.
      const { key } = makeTestKey('live');
      const stored =
        c.record === null || c.record === 'unknown'
          ? null
          : proxy.verifier.add(key, { environment: 'live', ...c.record });
      const headers: Headers = c.record === null ? {} : { authorization: `Bearer ${key}` };
      for (let i = 0; i < before; i++) await entrance(method, path, headers);
      const answer = await entrance(method, path, headers);
      // The key id differs per entrance (a fresh key each); the rest of the identity must not.
      if (answer.identity !== null) {
        expect(answer.identity['x-routemcp-key-id']).toBe(stored?.id);
        delete answer.identity['x-routemcp-key-id'];
      }
      answers.push(answer);
    }
    const [proxied, ...others] = answers as [Answer, Answer, Answer];
    expect(proxied.status).toBe(status);
    for (const name of c.rateHeaders ?? []) expect(proxied.rate[name], name).toBeDefined();
    if (status === 200) expect(proxied.identity).not.toEqual({});
    else expect(JSON.parse(proxied.body)).toMatchObject({ statusCode: status });
    expect(JSON.stringify(answers)).not.toContain('sk_');
    // Named, so a failure says which entrance disagrees with the proxy.
    for (const [i, other] of others.entries()) {
      const entrance = entrances[i + 1]![0];
      expect({ entrance, ...other }).toEqual({ entrance, ...proxied });
    }
  });
});
