import { pino } from 'pino';
import { systemClock } from './clock.ts';
import { loadConfig, type ApiConfig } from './config.ts';
import { createApiServer } from './server.ts';

let config: ApiConfig;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const logger = pino({ level: config.logLevel, base: { app: 'api' } });
const server = createApiServer({ logger, clock: systemClock });

server.on('error', (error) => {
  logger.fatal({ err: error }, 'api server failed');
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  logger.info({ port: config.port, host: config.host ?? 'all interfaces' }, 'api listening');
});

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'api shutting down');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // In-flight requests get a bounded drain, then the sockets go.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 10_000).unref();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
