import type { AddressInfo } from 'node:net';
import type { Tracing } from '@routemcp/tracing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import type { Limiter } from '../rate-limit/index.ts';
import type { KeyVerifier } from '../key-lookup/index.ts';
import { listen } from '../http/index.ts';
import { createProxyServer, type ProxyServers } from '../http/index.ts';
import { FakeKeyVerifier } from './fake-key-verifier.ts';
import { FakeLimiter } from './fake-limiter.ts';

export interface ProxyHarness {
  url: string;
  adminUrl: string;
  /** The forward-auth port (AUTHZ_PORT), on 127.0.0.1:0 like the others. */
  authzUrl: string;
  verifier: FakeKeyVerifier;
  limiter: FakeLimiter;
  servers: ProxyServers;
  /** Every JSON log line written so far. */
  logs: string[];
  /** Every usage record the proxy made (what it batches to the keystore), in order. */
  usage: { keyId: string; rateLimited: boolean; admitted: boolean }[];
  close(): Promise<void>;
}

/** The real proxy server on 127.0.0.1:0 with in-memory verifier and limiter. */
export async function startProxy(options: {
  upstreamUrl: string;
  env?: Record<string, string>;
  clock?: Clock;
  /** Replaces the fake verifier (e.g. a real CachingKeyVerifier over an in-memory keystore); `verifier` then goes unused. */
  keyVerifier?: KeyVerifier;
  /** Where the proxy's metrics go; a fresh registry otherwise. */
  registry?: Registry;
  /** Replaces the fake limiter (e.g. the real in-memory one); `limiter` then goes unused. */
  realLimiter?: Limiter;
  /** Tracing on, through this SDK; absent: off, as with no OTLP endpoint. */
  tracing?: Tracing;
}): Promise<ProxyHarness> {
  const config = loadConfig({
    KEYSTORE_SERVICE_TOKEN: 'test-service-token',
    SHUTDOWN_GRACE_MS: '1000',
    UPSTREAM_URL: options.upstreamUrl,
    ...options.env,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const verifier = new FakeKeyVerifier();
  const limiter = new FakeLimiter();
  const usage: ProxyHarness['usage'] = [];
  const servers = createProxyServer({
    config,
    verifier: options.keyVerifier ?? verifier,
    limiter: options.realLimiter ?? limiter,
    registry: options.registry ?? new Registry(),
    logger,
    clock: options.clock,
    usage: { record: (keyId, rateLimited, admitted) => void usage.push({ keyId, rateLimited, admitted }) },
    tracing: options.tracing,
  });
  await listen(servers.server, 0, '127.0.0.1');
  await listen(servers.adminServer, 0, '127.0.0.1');
  await listen(servers.authzServer, 0, '127.0.0.1');
  const port = (servers.server.address() as AddressInfo).port;
  const adminPort = (servers.adminServer.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    authzUrl: `http://127.0.0.1:${(servers.authzServer.address() as AddressInfo).port}`,
    verifier,
    limiter,
    servers,
    logs,
    usage,
    async close() {
      await servers.shutdown();
    },
  };
}
