import type { BenchContext } from '../context.ts';
import { newKeystoreTokens, startKeystore, type RunningKeystore, type RunningProxy } from '../processes/apps.ts';
import { postgresRunner, startPostgres, type PostgresRunner } from '../processes/postgres.ts';
import { KeystoreAdmin } from './keystore-admin.ts';
import type { KeystoreSetup } from './keystore-setup.ts';
import { keyMaker } from './make-keys.ts';

/**
 * The keystore on PostgreSQL as issue 13 runs it: a throwaway cluster, two
 * keystore replicas on its one database (sharing tokens, as replicas behind
 * one Service do), and the setup's proxy on replica A; (revocation)'s second proxy is
 * served by replica B. Keys for (cache-miss) go straight into the keystore's own
 * `keys` table (postgres-key-seeder.ts). Everything it starts is stopped by
 * `stop`, so it idles through no other scenario.
 */
export async function startPostgresSetup(
  ctx: BenchContext,
  options: {
    bin: string;
    runner: PostgresRunner;
    launchProxy: (name: string, keystore: RunningKeystore) => Promise<RunningProxy>;
    note: (line: string) => void;
  },
): Promise<KeystoreSetup> {
  const server = await startPostgres(ctx.group, {
    bin: options.bin,
    runner: options.runner,
    removeAtEnd: ctx.removeAtEnd,
  });
  const started: { process: { stop: () => Promise<void> } }[] = [server];
  const stop = async () => {
    for (const app of started.splice(0).reverse()) await app.process.stop();
  };
  try {
    const database = { kind: 'postgres', url: server.url } as const;
    const tokens = newKeystoreTokens();
    // One after the other: the second finds the schema migrated (the advisory lock is tested by the keystore's suite).
    const a = await startKeystore(ctx.group, { name: 'keystore-pg-a', database, tokens });
    started.push(a);
    const b = await startKeystore(ctx.group, { name: 'keystore-pg-b', database, tokens });
    started.push(b);
    const admin = new KeystoreAdmin({ url: a.url, adminToken: a.adminToken });
    const adminB = new KeystoreAdmin({ url: b.url, adminToken: b.adminToken });
    const proxy = await options.launchProxy('proxy-pg', a);
    started.push(proxy);
    ctx.log(`PostgreSQL ${server.version ?? '?'} on port ${server.port}, keystore replicas ${a.url} and ${b.url}`);
    return {
      kind: 'postgres',
      keystore: a,
      admin,
      makeKeys: keyMaker({ database, admin, note: options.note }),
      proxy,
      replicas: 2,
      launchSecondProxy: async (name) => ({ proxy: await options.launchProxy(name, b), admin: adminB }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The PostgreSQL server and who runs it, or why the PostgreSQL variants of (cache-miss) and (revocation) cannot run. */
export function postgresAvailable(ctx: BenchContext): { bin: string; runner: PostgresRunner } | string {
  if (ctx.tools.postgres === null)
    return 'PostgreSQL server binaries not found (/usr/lib/postgresql/<version>/bin; Debian package postgresql)';
  const runner = postgresRunner();
  return typeof runner === 'string' ? runner : { bin: ctx.tools.postgres, runner };
}

/**
 * The PostgreSQL setup when (cache-miss) or (revocation) is wanted, the server is installed and
 * time is left; otherwise null, with the reason in `skipped` under `e:postgres`
 * and `g:postgres`. A server that fails to start is a skip too, with its
 * error: the SQLite figures and everything after them still get reported.
 */
export async function startPostgresIfWanted(
  ctx: BenchContext,
  options: {
    wanted: readonly string[];
    inBudget: () => boolean;
    skipped: Record<string, string>;
    launchProxy: (name: string, on: RunningKeystore) => Promise<RunningProxy>;
    note: (line: string) => void;
  },
): Promise<KeystoreSetup | null> {
  const skip = (why: string) => {
    for (const id of options.wanted) options.skipped[`${id}:postgres`] = why;
    return null;
  };
  if (options.wanted.length === 0) return null;
  const available = postgresAvailable(ctx);
  if (typeof available === 'string') return skip(available);
  if (!options.inBudget()) return skip('time budget used up');
  ctx.log('starting PostgreSQL and two keystore replicas on it');
  try {
    return await startPostgresSetup(ctx, { ...available, launchProxy: options.launchProxy, note: options.note });
  } catch (error) {
    return skip(`PostgreSQL did not start: ${(error as Error).message}`);
  }
}
