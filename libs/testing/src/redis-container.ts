import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { docker } from './docker.ts';

/** The official image where a registry is reachable; global-setup sets a locally built one elsewhere. */
export const DEFAULT_REDIS_IMAGE = 'redis:7.4-alpine';

/** Label on every container a test run starts, so its teardown removes exactly those. */
export const RUN_LABEL = 'routemcp.test-run';

export function runLabels(): Record<string, string> {
  return { [RUN_LABEL]: process.env.ROUTEMCP_TEST_RUN ?? 'manual' };
}

export interface StartedRedis extends AsyncDisposable {
  /** `redis://host:port` as reachable from this process. */
  url: string;
  container: StartedTestContainer;
  /** Freezes the server (SIGSTOP-like): connections stay open, nothing answers. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
}

/**
 * `args`: redis-server options (e.g. `--enable-debug-command yes`, for `DEBUG SLEEP` from the host),
 * given as the container's command: the official image's entrypoint and the local one both run
 * redis-server with options that start with `--`.
 */
export async function startRedis(
  image = process.env.REDIS_IMAGE ?? DEFAULT_REDIS_IMAGE,
  args: readonly string[] = [],
): Promise<StartedRedis> {
  const base = new GenericContainer(image);
  const container = await (args.length === 0 ? base : base.withCommand([...args]))
    .withExposedPorts(6379)
    .withLabels(runLabels())
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const id = container.getId();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    container,
    pause: async () => void (await docker('pause', id)),
    unpause: async () => void (await docker('unpause', id)),
    async [Symbol.asyncDispose]() {
      await docker('unpause', id).catch(() => undefined);
      await container.stop({ timeout: 1 });
    },
  };
}
