import cluster from 'node:cluster';
import { runPrimary } from './cluster/index.ts';
import { describeConfig, loadConfig, type ProxyConfig } from './config.ts';
import { createLogger } from './observability/index.ts';
import { runProxy } from './run-proxy.ts';

let config: ProxyConfig;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

const clustered = config.PROXY_WORKERS > 1;
const logger = createLogger(config.LOG_LEVEL, clustered ? { worker: cluster.worker?.id ?? 0 } : {});
if (cluster.isPrimary) logger.info({ config: describeConfig(config) }, 'starting proxy');

try {
  if (clustered && cluster.isPrimary) await runPrimary(config, logger);
  else await runProxy(config, logger);
} catch (err) {
  logger.fatal({ err }, 'proxy failed to start');
  logger.flush(() => process.exit(1));
}
