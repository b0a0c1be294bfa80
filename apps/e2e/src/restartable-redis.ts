import { createConnection } from 'node:net';
import { DEFAULT_REDIS_IMAGE, docker, runLabels } from '@routemcp/testing';
import { GenericContainer, Wait } from 'testcontainers';
import { freePort } from '@routemcp/testing/free-port';

export interface RestartableRedis extends AsyncDisposable {
  url: string;
  /** `docker stop`: the server is gone, connections are refused. */
  stop(): Promise<void>;
  /** `docker start` after `stop()`: an empty Redis (no data, no scripts) on the same address. */
  start(): Promise<void>;
  /** `docker restart`: the same, in one step. */
  restart(): Promise<void>;
  /** `docker pause`: connections stay open, nothing answers. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
}

/**
 * A real Redis container published on a fixed loopback port, so it comes
 * back at the same address after a stop or restart (a randomly published
 * port changes on every start, and the proxy's REDIS_URL cannot follow).
 * `startRedis()` from @routemcp/testing publishes a random port.
 */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  const container = await new GenericContainer(process.env.REDIS_IMAGE ?? DEFAULT_REDIS_IMAGE)
    .withExposedPorts({ container: 6379, host: port })
    .withLabels(runLabels())
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const id = container.getId();
  const answers = async () => {
    for (let i = 0; i < 100; i++) {
      if (await ping(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`redis on port ${port} did not come back`);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => void (await docker('stop', '-t', '1', id)),
    start: async () => {
      await docker('start', id);
      await answers();
    },
    restart: async () => {
      await docker('restart', '-t', '1', id);
      await answers();
    },
    pause: async () => void (await docker('pause', id)),
    unpause: async () => void (await docker('unpause', id)),
    async [Symbol.asyncDispose]() {
      await docker('unpause', id).catch(() => undefined);
      await container.stop({ timeout: 1 }).catch(() => undefined);
    },
  };
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.on('error', () => done(false));
    socket.write('PING\r\n');
  });
}
