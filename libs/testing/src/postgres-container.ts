import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { docker } from './docker.ts';
import { runLabels } from './redis-container.ts';

/** The official image where a registry is reachable; global-setup sets a locally built one elsewhere. */
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17-alpine';

const PASSWORD = 'routemcp-test';

export interface StartedPostgres extends AsyncDisposable {
  /** `postgres://…/postgres` (the superuser's database) as reachable from this process. */
  url: string;
  container: StartedTestContainer;
  /** A new, empty database on this server; its URL. One per test keeps tests apart without a container each. */
  createDatabase(): Promise<string>;
  /** Freezes the server: connections stay open, nothing answers. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Stops and starts the container: every connection drops; data survives; the same host port. */
  restart(): Promise<void>;
  /** Stops the container (data kept); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A free TCP port on loopback: a fixed binding, so a restarted container keeps the URL clients hold. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export async function startPostgres(
  image = process.env.POSTGRES_IMAGE ?? DEFAULT_POSTGRES_IMAGE,
): Promise<StartedPostgres> {
  const port = await freePort();
  const container = await new GenericContainer(image)
    .withEnvironment({ POSTGRES_PASSWORD: PASSWORD, POSTGRES_USER: 'postgres' })
    .withExposedPorts({ container: 5432, host: port })
    .withLabels(runLabels())
    // Over TCP: the official image's init phase listens on its socket only, so this passes once it is really up.
    .withWaitStrategy(Wait.forSuccessfulCommand('pg_isready -h 127.0.0.1 -p 5432 -U postgres'))
    .withStartupTimeout(60_000)
    .start();
  const id = container.getId();
  const host = container.getHost();
  const urlOf = (database: string) => `postgres://postgres:${PASSWORD}@${host}:${port}/${database}`;
  const url = urlOf('postgres');
  const ready = async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new Error('PostgreSQL did not come back within 10 s');
  };
  return {
    url,
    container,
    async createDatabase() {
      const name = `test_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    pause: async () => void (await docker('pause', id)),
    unpause: async () => void (await docker('unpause', id)),
    async restart() {
      await docker('restart', '-t', '1', id);
      await ready();
    },
    stop: async () => void (await docker('stop', '-t', '1', id)),
    async start() {
      await docker('start', id);
      await ready();
    },
    async [Symbol.asyncDispose]() {
      await docker('unpause', id).catch(() => undefined);
      await container.stop({ timeout: 1 });
    },
  };
}
