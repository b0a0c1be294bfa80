import { collectDefaultMetrics, Registry } from 'prom-client';
import { describeConfig, loadConfig, type ProxyConfig } from './config.ts';
import { createKeyVerifier } from './key-lookup/index.ts';
import { systemClock } from './clock.ts';
import { createLogger } from './logger.ts';
import { listen } from './listen.ts';
import { createLimiter } from './rate-limit/index.ts';
import { createProxyServer } from './server.ts';
import { KeystoreUsageSink, UsageRecorder } from './usage/index.ts';

let config: ProxyConfig;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

const logger = createLogger(config.LOG_LEVEL);
const registry = new Registry();
collectDefaultMetrics({ register: registry });
logger.info({ config: describeConfig(config) }, 'starting proxy');

const verifier = createKeyVerifier({
  keystoreUrl: config.KEYSTORE_URL,
  serviceToken: config.KEYSTORE_SERVICE_TOKEN,
  cacheMaxKeys: config.CACHE_MAX_KEYS,
  cacheTtlMs: config.CACHE_TTL_MS,
  negativeTtlMs: config.CACHE_NEGATIVE_TTL_MS,
  staleIfErrorMs: config.CACHE_STALE_IF_ERROR_MS,
  keystoreTimeoutMs: config.KEYSTORE_TIMEOUT_MS,
  registry,
  logger,
});
const limiter = createLimiter({
  redisUrl: config.REDIS_URL,
  redisTimeoutMs: config.REDIS_TIMEOUT_MS,
  registry,
  logger,
});
const usage = new UsageRecorder({
  sink: new KeystoreUsageSink({ keystoreUrl: config.KEYSTORE_URL, serviceToken: config.KEYSTORE_SERVICE_TOKEN }),
  clock: systemClock,
  registry,
});
usage.start(config.USAGE_FLUSH_INTERVAL_MS);
const proxy = createProxyServer({ config, verifier, limiter, registry, logger, usage });

await listen(proxy.server, config.PROXY_PORT, config.PROXY_HOST);
await listen(proxy.adminServer, config.PROXY_ADMIN_PORT, config.PROXY_HOST);
logger.info({ port: config.PROXY_PORT, adminPort: config.PROXY_ADMIN_PORT }, 'proxy listening');
await verifier.start();

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'draining');
  // Whatever hangs below, the process is gone shortly after the grace period.
  setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + 2_000).unref();
  const result = await proxy.shutdown();
  await Promise.allSettled([verifier.close(), limiter.close(), usage.close()]);
  logger.info({ result }, 'stopped');
  logger.flush(() => process.exit(0));
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
