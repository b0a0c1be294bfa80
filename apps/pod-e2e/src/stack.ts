import { randomBytes } from 'node:crypto';
import { docker, runLabels } from '@routemcp/testing';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { request } from './http-client.ts';
import { appImages } from './images.ts';
import { KeystoreAdmin } from './keystore-admin.ts';
import { poll } from './poll.ts';

export const PROXY_PORT = 5001;
export const ADMIN_PORT = 9901;

/**
 * Redis, the keystore, and a pod: the api container owns the network
 * namespace (and so publishes the pod's ports), the proxy joins it with
 * `--network container:<api>` and reaches the api at 127.0.0.1:5002, exactly
 * as containers of one Kubernetes pod share localhost. The api listens on
 * 127.0.0.1 only, so nothing but the proxy can reach it.
 */
export interface Stack extends AsyncDisposable {
  network: StartedNetwork;
  redis: StartedTestContainer;
  keystore: StartedTestContainer;
  api: StartedTestContainer;
  proxy: StartedTestContainer;
  admin: KeystoreAdmin;
  /** The proxy's public port, as clients on this machine reach it (the docs' localhost:5001). */
  baseUrl: string;
  adminUrl: string;
  /** The pod's address on the test network: no userland proxy in between, so a refused connection is refused. */
  podUrl: string;
  /** Restarts the proxy container in the pod and waits until it answers again. */
  restartProxy(): Promise<void>;
  waitUntilReady(): Promise<void>;
}

export interface StackOptions {
  /** Extra proxy environment, e.g. cache TTLs. */
  proxyEnv?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const images = appImages();
  const serviceToken = randomBytes(24).toString('hex');
  const adminToken = randomBytes(24).toString('hex');
  const network = await new Network().start();
  const started: StartedTestContainer[] = [];
  const track = async (container: Promise<StartedTestContainer>) => {
    const running = await container;
    started.push(running);
    return running;
  };
  const dispose = async () => {
    for (const container of started.reverse()) {
      await docker('rm', '-f', '-v', container.getId()).catch(() => undefined);
    }
    await network.stop().catch(() => undefined);
  };

  try {
    const [redis, keystore, api] = await Promise.all([
      track(
        new GenericContainer(images.redis)
          .withNetwork(network)
          .withNetworkAliases('redis')
          .withLabels(runLabels())
          .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
          .start(),
      ),
      track(
        new GenericContainer(images.keystore)
          .withNetwork(network)
          .withNetworkAliases('keystore')
          .withLabels(runLabels())
          .withEnvironment({
            KEYSTORE_SERVICE_TOKEN: serviceToken,
            KEYSTORE_ADMIN_TOKEN: adminToken,
            LOG_LEVEL: 'warn',
          })
          .withExposedPorts(5003)
          .withWaitStrategy(Wait.forHttp('/healthz', 5003))
          .start(),
      ),
      track(
        new GenericContainer(images.api)
          .withNetwork(network)
          .withNetworkAliases('api')
          .withLabels(runLabels())
          // Info level: its "listening" line is the wait signal (its port is on loopback only).
          .withEnvironment({ API_HOST: '127.0.0.1', API_PORT: '5002', LOG_LEVEL: 'info' })
          // The pod's ports: the proxy will listen on them inside this namespace.
          .withExposedPorts(PROXY_PORT, ADMIN_PORT)
          .withWaitStrategy(Wait.forLogMessage(/listening/))
          .start(),
      ),
    ]);
    const proxy = await track(
      new GenericContainer(images.proxy)
        .withNetworkMode(`container:${api.getId()}`)
        .withLabels(runLabels())
        .withEnvironment({
          PROXY_PORT: String(PROXY_PORT),
          PROXY_ADMIN_PORT: String(ADMIN_PORT),
          UPSTREAM_URL: 'http://127.0.0.1:5002',
          KEYSTORE_URL: 'http://keystore:5003',
          KEYSTORE_SERVICE_TOKEN: serviceToken,
          REDIS_URL: 'redis://redis:6379',
          SHUTDOWN_GRACE_MS: '10000',
          LOG_LEVEL: 'warn',
          ...options.proxyEnv,
        })
        // No ports of its own to wait on: waitUntilReady() asks its admin port through the pod.
        .start(),
    );
    const host = api.getHost();
    const adminUrl = `http://${host}:${api.getMappedPort(ADMIN_PORT)}`;
    const waitUntilReady = async () => {
      // Ready, and subscribed to key events: the first `hello` flushes the cache, so a key used before it
      // would not stay cached.
      await poll(
        'the proxy to be ready with its key event stream connected',
        async () => {
          const res = await request(`${adminUrl}/readyz`, { timeoutMs: 1000 });
          const events = (JSON.parse(res.body) as { data?: { events?: string } }).data?.events;
          return res.status === 200 && events === 'connected' ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    };
    const stack: Stack = {
      network,
      redis,
      keystore,
      api,
      proxy,
      admin: new KeystoreAdmin({ baseUrl: `http://${host}:${keystore.getMappedPort(5003)}`, adminToken }),
      baseUrl: `http://${host}:${api.getMappedPort(PROXY_PORT)}`,
      adminUrl,
      podUrl: `http://${api.getIpAddress(network.getName())}:${PROXY_PORT}`,
      restartProxy: async () => {
        await docker('restart', '--time', '15', proxy.getId());
        await waitUntilReady();
      },
      waitUntilReady,
      [Symbol.asyncDispose]: dispose,
    };
    await waitUntilReady();
    return stack;
  } catch (error) {
    await dispose();
    throw error;
  }
}
