import { createClient, createCluster, createSentinel } from 'redis';
import { takeTokensScript, type TakeArgs } from './take-script.ts';

/** Where the shared buckets live: exactly one of REDIS_URL, REDIS_CLUSTER_URLS, REDIS_SENTINEL_URLS (+ master). */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; urls: readonly string[] }
  | { kind: 'sentinel'; urls: readonly string[]; master: string };

/** What the limiter needs of any of node-redis' three clients. */
export interface BucketClient {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  takeTokens(take: TakeArgs): Promise<number[]>;
  connect(): Promise<unknown>;
  /** Drops every connection at once (a graceful close would wait for a paused Redis). */
  destroy(): void;
  on(event: 'ready' | 'error', listener: (arg?: unknown) => void): unknown;
}

const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), 2_000);

/**
 * Options every node connection gets. Commands fail at once while
 * disconnected instead of queueing for a Redis that may never return. No
 * node-redis command timeout: the limiter times each call itself (one
 * timer for all, DeadlineQueue); node-redis' own is an uncancellable
 * AbortSignal.timeout per command (1.5 % of the proxy's CPU in a profile).
 */
function nodeOptions(connectTimeoutMs: number) {
  return {
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy },
  };
}

/**
 * node-redis' own client for each kind, with the bucket script registered:
 * `createClient` for one node, `createCluster` (slots discovered from the
 * seed nodes, rediscovered after a failover; the script's keys share a hash
 * tag, so a call goes to one master), `createSentinel` (the master the
 * sentinels name, followed through a failover).
 */
export function createBucketClient(target: RedisTarget, connectTimeoutMs: number): BucketClient {
  const scripts = { takeTokens: takeTokensScript };
  switch (target.kind) {
    case 'single':
      return createClient({ url: target.url, scripts, ...nodeOptions(connectTimeoutMs) }) as unknown as BucketClient;
    case 'cluster':
      return createCluster({
        rootNodes: target.urls.map((url) => ({ url })),
        defaults: { ...nodeOptions(connectTimeoutMs), ...credentials(target.urls[0]!) },
        // node-redis asks the cluster for its slots again only on MOVED/ASK, or once a node has been
        // reconnecting this long: a killed master's slots are served by its promoted replica within
        // about a second of Redis' own failover, instead of the default 5 s.
        topologyRefreshOnReconnectionAttemptStrategy: 1_000,
        scripts,
      }) as unknown as BucketClient;
    case 'sentinel':
      return createSentinel({
        name: target.master,
        sentinelRootNodes: target.urls.map((url) => {
          const { hostname, port } = new URL(url);
          return { host: hostname, port: Number(port || 26379) };
        }),
        nodeClientOptions: { ...nodeOptions(connectTimeoutMs), ...credentials(target.urls[0]!) },
        sentinelClientOptions: nodeOptions(connectTimeoutMs),
        scripts,
      }) as unknown as BucketClient;
  }
}

/** Username and password given in the first URL apply to every node (cluster and sentinel discover the others). */
function credentials(text: string): { username?: string; password?: string } {
  const url = new URL(text);
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}
