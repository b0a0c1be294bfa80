import type { VariableDoc } from '@routemcp/config-docs';
import { tracingVariables } from '@routemcp/tracing';
import type { ProxyEnvironment } from './config.ts';

/**
 * Every variable the proxy reads, as docs/configuration.md shows it. Typed
 * by the schema's keys: a variable added to config.ts without a line here
 * does not compile, and config-docs.test.ts fails until the page is
 * regenerated (`npm run docs:config`).
 */
export const proxyVariables: Record<keyof ProxyEnvironment, VariableDoc> = {
  PROXY_PORT: {
    type: 'port, or `off`',
    default: '`5001`',
    description:
      "Public port (the docs' examples). `off`: no proxy hop, only forward auth (`AUTHZ_PORT` or `AUTHZ_GRPC_PORT` must be set); `UPSTREAM_URL` is then unused.",
  },
  PROXY_ADMIN_PORT: { type: 'port', default: '`9901`', description: '`/healthz`, `/readyz`, `/metrics`.' },
  PROXY_HOST: { type: 'host', default: 'unset: all interfaces', description: 'Listen address.' },
  AUTHZ_GRPC_PORT: {
    type: 'port',
    default: 'unset: off',
    description:
      "Envoy ext_authz over gRPC (`envoy.service.auth.v3.Authorization/Check`): the proxy's decision for a gateway to enforce (`docs/forward-auth-envoy.md`).",
  },
  PROXY_WORKERS: {
    type: 'integer 1–64, or `auto`',
    default: '`1`',
    description:
      'Worker processes sharing the public port (`auto`: one per available core). More than one needs Redis (any of the three settings).',
  },
  AUTHZ_PORT: {
    type: 'port',
    default: 'unset: off (`npm start`: `5004`)',
    description:
      'HTTP forward auth for nginx `auth_request`, Caddy `forward_auth`, Traefik `ForwardAuth` and Envoy `ext_authz` (HTTP): `/authz` and `/authz/<path>`, the same decision as the proxy port (`docs/forward-auth.md`).',
  },
  UPSTREAM_URL: { type: 'http(s) URL', default: '`http://127.0.0.1:5002`', description: 'The protected service.' },
  UPSTREAM_TEST_URL: {
    type: 'http(s) URL',
    default: 'unset: test keys go to `UPSTREAM_URL`',
    description: 'Sandbox upstream for `sk_test_` keys.',
  },
  KEYSTORE_URL: {
    type: 'http(s) URL, or a comma-separated list',
    default: '`http://127.0.0.1:5003`',
    description:
      'Keystore internal API (lookups, change events, usage). A list of replicas: lookups and usage fail over between them, the event stream resumes on the next with no cache flush (`docs/internal-api.md`).',
  },
  KEYSTORE_SERVICE_TOKEN: {
    type: 'string',
    default: 'required (`npm start` generates one per run)',
    description: 'Shared with the keystore.',
  },
  REDIS_URL: {
    type: '`redis://` URL',
    default: 'unset: in-memory buckets, single instance',
    description: 'Shared token buckets on one Redis. At most one of the three Redis settings.',
  },
  REDIS_CLUSTER_URLS: {
    type: 'comma-separated `redis://` URLs',
    default: 'unset',
    description: 'Seed nodes of a Redis Cluster (instead of `REDIS_URL`); the rest is discovered.',
  },
  REDIS_SENTINEL_URLS: {
    type: 'comma-separated `redis://` URLs',
    default: 'unset',
    description: 'Redis Sentinels (instead of `REDIS_URL`), with `REDIS_SENTINEL_MASTER`.',
  },
  REDIS_SENTINEL_MASTER: {
    type: 'string',
    default: 'unset',
    description: 'The master name the sentinels monitor.',
  },
  RATE_LIMIT_LEASES: {
    type: '`on` / `off`',
    default: '`on`',
    description:
      'Token leases on shared buckets: a hot key spends tokens leased from Redis without a call per request (see docs/design.md). `off`: one Redis call per request.',
  },
  CACHE_MAX_KEYS: { type: 'integer', default: '`100000`', description: 'LRU size (key hashes).' },
  CACHE_TTL_MS: {
    type: 'integer',
    default: '`30000`',
    description: 'Positive TTL; bounds staleness only while the event stream is down.',
  },
  CACHE_NEGATIVE_TTL_MS: {
    type: 'integer',
    default: '`5000`',
    description: 'TTL of "unknown"/"revoked" answers (random keys cannot storm the keystore).',
  },
  CACHE_STALE_IF_ERROR_MS: {
    type: 'integer',
    default: '`300000`',
    description: 'How long after its fetch a known key is still served while the keystore is down.',
  },
  KEYSTORE_TIMEOUT_MS: {
    type: 'integer',
    default: '`250`',
    description:
      "The keystore deadline's floor: a lookup waits the keystore's smoothed round trip plus four times its variation (RFC 6298), never less than this; past it the lookup fails closed (503, or a stale record within `CACHE_STALE_IF_ERROR_MS`). A breaker opens after repeated failures.",
  },
  KEYSTORE_TIMEOUT_MAX_MS: {
    type: 'integer',
    default: '`1000`',
    description:
      "The keystore deadline's cap (raised to `KEYSTORE_TIMEOUT_MS` if below it), and the deadline until this proxy's first answer from a keystore replica: a hung keystore costs a lookup at most this long.",
  },
  REDIS_TIMEOUT_MS: {
    type: 'integer',
    default: '`50`',
    description:
      "The Redis deadline's floor: a call waits Redis's smoothed round trip plus four times its variation (as TCP's RFC 6298 timeout), never less than this; past the deadline the local bucket answers.",
  },
  REDIS_TIMEOUT_MAX_MS: {
    type: 'integer',
    default: '`1000`',
    description:
      "The Redis deadline's cap (raised to `REDIS_TIMEOUT_MS` if below it): however slow Redis has been, a call waits no longer, so a stalled Redis falls back within it.",
  },
  UPSTREAM_TIMEOUT_MS: {
    type: 'integer',
    default: '`30000`',
    description: 'Upstream silence (connect, head, between body chunks) → 504 `UPSTREAM_TIMEOUT`.',
  },
  RATE_LIMIT_LIVE_CAPACITY: { type: 'integer', default: '`100`', description: 'Default bucket size for live keys.' },
  RATE_LIMIT_LIVE_REFILL_PER_SECOND: { type: 'number', default: '`10`', description: 'Default refill for live keys.' },
  RATE_LIMIT_TEST_CAPACITY: { type: 'integer', default: '`100`', description: 'Default bucket size for test keys.' },
  RATE_LIMIT_TEST_REFILL_PER_SECOND: { type: 'number', default: '`10`', description: 'Default refill for test keys.' },
  TRUSTED_PROXIES: {
    type: 'comma-separated IPs/CIDRs',
    default: 'unset: the client is the socket peer',
    description:
      'From a trusted peer, the client is the right-most untrusted `X-Forwarded-For` entry (for `allowedIps`, the failed-auth budget and the forwarded address).',
  },
  PUBLIC_PATHS: {
    type: 'comma-separated paths',
    default: 'empty',
    description:
      'Paths that need no key, matched exactly on the canonical path the upstream receives (docs/security.md); each must have a canonical form.',
  },
  MAX_BODY_BYTES: {
    type: 'integer',
    default: '`10485760`',
    description: 'Larger bodies → 413 (a declared length before any upstream connection, a chunked one as it streams).',
  },
  AUTH_FAILURE_LIMIT: {
    type: 'integer',
    default: '`600`',
    description:
      'Failed key checks per client address per minute before further attempts get 429 without a lookup (0 = off).',
  },
  HEADERS_TIMEOUT_MS: { type: 'integer', default: '`10000`', description: 'Slowloris bound for the header block.' },
  REQUEST_TIMEOUT_MS: { type: 'integer', default: '`30000`', description: 'Whole-request bound.' },
  KEEP_ALIVE_TIMEOUT_MS: { type: 'integer', default: '`5000`', description: 'Idle client connections.' },
  MAX_HEADER_BYTES: { type: 'integer', default: '`16384`', description: 'Larger header blocks → 431.' },
  WS_IDLE_TIMEOUT_MS: {
    type: 'integer',
    default: '`300000`',
    description: 'A WebSocket tunnel with no bytes either way for this long is closed (checked every 250 ms; 0 = off).',
  },
  WS_MAX_LIFETIME_MS: {
    type: 'integer',
    default: '`86400000`',
    description:
      'A WebSocket tunnel open this long is closed, however busy (0 = off). Revoked, expired or narrowed keys close theirs within a second regardless.',
  },
  SHUTDOWN_GRACE_MS: { type: 'integer', default: '`10000`', description: 'SIGTERM drain bound.' },
  USAGE_FLUSH_INTERVAL_MS: {
    type: 'integer',
    default: '`10000`',
    description:
      'How often per-key usage (requests, refusals, last used) is reported to the keystore, in one batch (sooner when 10 000 distinct keys are pending).',
  },
  LOG_LEVEL: {
    type: 'pino level',
    default: '`info`',
    description: 'JSON logs; at `info` one access-log line per request (request id, key id — never the key).',
  },
  ...tracingVariables,
};
