import type { Tracing } from '@routemcp/tracing';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createKeystoreApp, type KeystoreApp, type KeystoreAppOptions } from '../app.ts';
import { ScryptHasher, type PasswordHasher, type ScryptCost } from '../accounts/password.ts';
import type { LeakPolicy } from '../leaks/leak-policy.ts';
import type { SqliteAccountStore } from '../store/sqlite/sqlite-account-store.ts';
import type { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.ts';
import { SqliteStorage } from '../store/sqlite/sqlite-storage.ts';
import { fakeClock, type FakeClock } from './fake-clock.ts';

export const SERVICE_TOKEN = 'service-token-for-tests-0001';
export const ADMIN_TOKEN = 'admin-token-for-tests-000001';
export const CHEAP_SCRYPT: ScryptCost = { N: 1024, r: 8, p: 1 };

export interface Harness extends AsyncDisposable {
  baseUrl: string;
  app: KeystoreApp;
  storage: SqliteStorage;
  store: SqliteKeyStore;
  accounts: SqliteAccountStore;
  clock: FakeClock;
  dbPath: string;
  /** fetch with the admin token. */
  admin(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** fetch with the service token. */
  service(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** A real keystore on 127.0.0.1:0 over a fresh SQLite file, with a fake clock. */
export async function startKeystore(
  options: {
    pollIntervalMs?: number;
    pingIntervalMs?: number;
    sessionTtlMs?: number;
    sessionIdleMs?: number;
    trustedProxies?: readonly string[];
    passwords?: PasswordHasher;
    loginCheckConcurrency?: number;
    leakPolicy?: LeakPolicy;
    githubKeysUrl?: string;
    publicUrl?: string;
    sso?: KeystoreAppOptions['sso'];
    passwordLogin?: boolean;
    webhookAllowPrivate?: boolean;
    managementResolvers?: KeystoreAppOptions['managementResolvers'];
    webhookDelivery?: KeystoreAppOptions['webhookDelivery'];
    /** Default: a fake clock at 2026-06-01. */
    clock?: FakeClock;
    /** Unset: silent. A test that reads the log passes its own. */
    logger?: Logger;
    /** Unset: tracing off, as in production without an OTLP endpoint. */
    tracing?: Tracing;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'keystore-test-'));
  const dbPath = join(dir, 'keystore.sqlite');
  const clock = options.clock ?? fakeClock();
  const storage = new SqliteStorage({ path: dbPath, now: clock.now() });
  const app = createKeystoreApp({
    storage,
    // Cheap scrypt: the tests check behaviour, not the work factor (password.test.ts keeps the real one).
    passwords: new ScryptHasher(CHEAP_SCRYPT),
    logger: pino({ level: 'silent' }),
    serviceToken: SERVICE_TOKEN,
    adminToken: ADMIN_TOKEN,
    eventRetention: 100_000,
    ...options,
    clock,
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const call =
    (token: string) =>
    (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${token}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${baseUrl}${path}`, {
        ...rest,
        headers,
        body: json === undefined ? rest.body : JSON.stringify(json),
      });
    };

  return {
    baseUrl,
    app,
    storage,
    store: storage.keys,
    accounts: storage.accounts,
    clock,
    dbPath,
    admin: call(ADMIN_TOKEN),
    service: call(SERVICE_TOKEN),
    async [Symbol.asyncDispose]() {
      app.server.closeAllConnections();
      await app.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
