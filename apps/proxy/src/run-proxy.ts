import cluster from 'node:cluster';
import { startTracing, tracingSettings } from '@routemcp/tracing';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { readinessOf } from './admin/index.ts';
import { answerPrimary } from './cluster/index.ts';
import { redisTarget, type ProxyConfig } from './config.ts';
import { createKeyVerifier } from './key-lookup/index.ts';
import { systemClock } from './clock.ts';
import { createAuthzGrpcServer } from './authz/index.ts';
import { listen } from './http/index.ts';
import { createLimiter } from './rate-limit/index.ts';
import { createProxyServer } from './http/index.ts';
import { KeystoreUsageSink, UsageRecorder } from './usage/index.ts';

/**
 * One proxy process: the whole proxy with PROXY_WORKERS=1, or one cluster
 * worker, which shares the public port and leaves the admin port to the
 * primary (it answers the primary's questions instead).
 */
export async function runProxy(config: ProxyConfig, logger: Logger): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Off (and the SDK never loaded) unless an OTLP endpoint is set; each worker exports its own spans.
  const traceTo = tracingSettings(config, 'routemcp-proxy');
  const tracing = traceTo === null ? undefined : await startTracing(traceTo);

  const verifier = createKeyVerifier({
    keystoreUrl: config.KEYSTORE_URL,
    serviceToken: config.KEYSTORE_SERVICE_TOKEN,
    cacheMaxKeys: config.CACHE_MAX_KEYS,
    cacheTtlMs: config.CACHE_TTL_MS,
    negativeTtlMs: config.CACHE_NEGATIVE_TTL_MS,
    staleIfErrorMs: config.CACHE_STALE_IF_ERROR_MS,
    keystoreTimeoutMs: config.KEYSTORE_TIMEOUT_MS,
    keystoreTimeoutMaxMs: config.KEYSTORE_TIMEOUT_MAX_MS,
    registry,
    logger,
    tracing,
  });
  const limiter = createLimiter({
    redis: redisTarget(config),
    redisTimeoutMs: config.REDIS_TIMEOUT_MS,
    redisTimeoutMaxMs: config.REDIS_TIMEOUT_MAX_MS,
    leases: config.RATE_LIMIT_LEASES,
    registry,
    logger,
    tracing,
  });
  const usage = new UsageRecorder({
    sink: new KeystoreUsageSink({ keystoreUrls: config.KEYSTORE_URL, serviceToken: config.KEYSTORE_SERVICE_TOKEN }),
    clock: systemClock,
    registry,
  });
  usage.start(config.USAGE_FLUSH_INTERVAL_MS);
  const proxy = createProxyServer({ config, verifier, limiter, registry, logger, usage, tracing });

  // Before listening: the primary asks a worker once it listens.
  if (cluster.isWorker)
    answerPrimary({ readiness: () => readinessOf(verifier, limiter), metrics: () => registry.getMetricsAsJSON() });
  // Cluster workers share each port through the primary, as node:cluster does for any listen().
  // Envoy's ext_authz over gRPC runs on the same pipeline; every worker binds it too.
  const authzGrpc = config.AUTHZ_GRPC_PORT === undefined ? null : createAuthzGrpcServer(proxy.pipeline);
  if (config.PROXY_PORT !== null) await listen(proxy.server, config.PROXY_PORT, config.PROXY_HOST);
  if (config.AUTHZ_PORT !== undefined) await listen(proxy.authzServer, config.AUTHZ_PORT, config.PROXY_HOST);
  if (config.AUTHZ_GRPC_PORT !== undefined) await authzGrpc?.listen(config.AUTHZ_GRPC_PORT, config.PROXY_HOST);
  if (cluster.isPrimary) {
    await listen(proxy.adminServer, config.PROXY_ADMIN_PORT, config.PROXY_HOST);
    logger.info(
      {
        port: config.PROXY_PORT,
        authzPort: config.AUTHZ_PORT,
        authzGrpcPort: config.AUTHZ_GRPC_PORT,
        adminPort: config.PROXY_ADMIN_PORT,
      },
      'proxy listening',
    );
  }
  await verifier.start();

  let stopping = false;
  async function stop(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    // Whatever hangs below, the process is gone shortly after the grace period.
    setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + 2_000).unref();
    const [result] = await Promise.all([proxy.shutdown(), authzGrpc?.close(config.SHUTDOWN_GRACE_MS)]);
    await Promise.allSettled([verifier.close(), limiter.close(), usage.close()]);
    // Last: the spans of the requests drained above are exported before the process goes.
    await tracing?.shutdown();
    logger.info({ result }, 'stopped');
    logger.flush(() => process.exit(0));
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
