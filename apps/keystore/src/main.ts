import { startTracing } from '@routemcp/tracing';
import { systemClock } from './clock.ts';
import { ConfigError, describeDatabase, loadConfig, weakSecrets } from './config.ts';
import { createKeystoreApp } from './app.ts';
import { createLogger } from './logger.ts';
import { OpenIdClient } from './sso/oidc-client.ts';
import { openStorage } from './store/open-storage.ts';
import type { Storage } from './store/storage.ts';

const SHUTDOWN_DEADLINE_MS = 5000;

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`keystore: ${error.message}\n`);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
const weak = weakSecrets(config);
if (weak.length > 0) logger.warn({ variables: weak }, 'secrets shorter than recommended');
const db = describeDatabase(config.database);
let storage: Storage;
try {
  storage = await openStorage(config.database, { now: systemClock.now(), logger });
} catch (error) {
  logger.fatal({ err: error, db }, 'database cannot be opened');
  process.exit(1);
}
logger.info({ engine: storage.engine, db, applied: storage.migrationsApplied }, 'database ready');
// Off (and the SDK never loaded) unless an OTLP endpoint is set.
const tracing = config.tracing === null ? undefined : await startTracing(config.tracing);
const oidc = config.oidc && {
  config: config.oidc,
  client: new OpenIdClient({ config: config.oidc, clock: systemClock }),
};
const app = createKeystoreApp({
  ...config,
  storage,
  logger,
  clock: systemClock,
  processMetrics: true,
  sso: oidc,
  tracing,
});
if (
  config.firstUser !== undefined &&
  (await app.login.ensureFirstUser(config.firstUser.email, config.firstUser.password, storage.keys.defaultAccountId))
) {
  logger.info({ email: config.firstUser.email }, 'first dashboard user created');
}

app.server.listen({ port: config.port, host: config.host }, () => {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info(
    { port, engine: storage.engine, db, epoch: storage.keys.epoch, adminApi: config.adminToken !== undefined },
    'keystore listening',
  );
});
// Not awaited: the keystore serves password logins while the provider is down; SSO retries at each login.
void oidc?.client.warmUp().then((found) => {
  if (found) logger.info({ issuer: oidc.config.issuer }, 'single sign-on provider discovered');
  else
    logger.warn({ issuer: oidc.config.issuer }, 'single sign-on provider not reachable yet; retried at each SSO login');
});

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'keystore stopping');
  setTimeout(() => {
    logger.warn('closing connections still open');
    app.server.closeAllConnections();
  }, SHUTDOWN_DEADLINE_MS - 1000).unref();
  setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
  void app
    .close()
    .then(() => storage.close())
    .then(() => tracing?.shutdown())
    .then(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
