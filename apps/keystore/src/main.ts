import { SqliteAccountStore } from './accounts/sqlite-account-store.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig, weakSecrets } from './config.ts';
import { createKeystoreApp } from './app.ts';
import { createLogger } from './logger.ts';
import { SqliteKeyStore } from './store/sqlite-key-store.ts';

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
const store = new SqliteKeyStore({ path: config.dbPath, now: systemClock.now() });
const accounts = new SqliteAccountStore({ db: store.database });
const app = createKeystoreApp({ ...config, store, accounts, logger, clock: systemClock });
if (config.firstUser !== undefined && (await app.login?.ensureFirstUser(config.firstUser.email, config.firstUser.password, store.defaultAccountId))) {
  logger.info({ email: config.firstUser.email }, 'first dashboard user created');
}

app.server.listen({ port: config.port, host: config.host }, () => {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info(
    { port, db: config.dbPath, epoch: store.epoch, adminApi: config.adminToken !== undefined },
    'keystore listening',
  );
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
  void app.close().then(() => {
    store.close();
    process.exit(0);
  });
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
