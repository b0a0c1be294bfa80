import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ProcessGroup, type ManagedProcess } from '@routemcp/process-group';

const run = promisify(execFile);

/**
 * A free loopback port low enough for a Redis Cluster node: its cluster bus
 * listens on port + 10000, which must stay a valid port.
 */
async function freeNodePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    const free = await Promise.all([port, port + 10_000].map(canListen));
    if (free.every(Boolean)) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface RedisNode {
  port: number;
  url: string;
  process: ManagedProcess;
}

export interface StartedRedisCluster extends AsyncDisposable {
  /** The seed URLs (every node), as REDIS_CLUSTER_URLS takes them. */
  urls: string[];
  nodes: RedisNode[];
  /** The master serving `key`'s slot. */
  masterOf(key: string): Promise<RedisNode>;
  /** Waits until every slot is served again (cluster_state:ok on every live node). */
  healthy(timeoutMs?: number): Promise<void>;
  /** Waits until the live nodes have marked `dead` failed and a replica took its slots over. */
  failedOver(dead: RedisNode, timeoutMs?: number): Promise<void>;
}

/**
 * A Redis Cluster of `masters` masters with `replicas` replicas each, from
 * this machine's redis-server (no container needed), on loopback, each node
 * a child process stopped by PID. A short node timeout lets a replica take
 * over within seconds when a test kills its master.
 */
export async function startRedisCluster(
  options: { masters?: number; replicas?: number } = {},
): Promise<StartedRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-cluster-'));
  const group = new ProcessGroup();
  const nodes: RedisNode[] = [];
  try {
    for (let i = 0; i < masters * (replicas + 1); i++) {
      const port = await freeNodePort();
      const process = group.start(`redis-cluster-${port}`, 'redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '1000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--repl-diskless-sync-delay',
        '0',
      ]);
      nodes.push({ port, url: `redis://127.0.0.1:${port}`, process });
    }
    for (const node of nodes)
      await until(`redis node ${node.port}`, async () => (await cli(node.port, 'PING')) === 'PONG', 10_000);
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
  } catch (error) {
    await group.stopAll(1_000);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const cluster: StartedRedisCluster = {
    urls: nodes.map((node) => node.url),
    nodes,
    async masterOf(key) {
      const live = nodes.find((node) => !node.process.exited())!;
      const slot = Number(await cli(live.port, 'CLUSTER', 'KEYSLOT', key));
      for (const line of (await cli(live.port, 'CLUSTER', 'NODES')).split('\n')) {
        const [, address, flags] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail') || !servesSlot(line, slot)) continue;
        const port = Number(address!.split('@')[0]!.split(':')[1]);
        const node = nodes.find((candidate) => candidate.port === port);
        if (node !== undefined) return node;
      }
      throw new Error(`no live master serves the slot of ${key}`);
    },
    async healthy(timeoutMs = 30_000) {
      const live = () => nodes.filter((node) => !node.process.exited());
      await until(
        'cluster_state:ok',
        async () => {
          for (const node of live())
            if (!(await cli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
          return true;
        },
        timeoutMs,
      );
    },
    async failedOver(dead, timeoutMs = 30_000) {
      const live = () => nodes.filter((node) => !node.process.exited());
      await until(
        `a replica to take over from ${dead.port}`,
        async () => {
          for (const node of live()) {
            const table = await cli(node.port, 'CLUSTER', 'NODES');
            const line = table.split('\n').find((entry) => entry.split(' ')[1]?.startsWith(`127.0.0.1:${dead.port}@`));
            if (line === undefined || !line.split(' ')[2]!.includes('fail') || line.split(' ')[2]!.includes('fail?'))
              return false;
            if (!(await cli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
          }
          return true;
        },
        timeoutMs,
      );
    },
    async [Symbol.asyncDispose]() {
      await group.stopAll(1_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.healthy();
  // A replica that never finished its first sync cannot take over: wait for every replica's link.
  await until(
    'every replica in sync',
    async () => {
      const roles = await Promise.all(nodes.map((node) => cli(node.port, 'ROLE')));
      const replicasUp = roles.filter((role) => role.startsWith('slave') && role.includes('\nconnected\n')).length;
      return replicasUp === masters * replicas;
    },
    30_000,
  );
  return cluster;
}

/** Whether a `CLUSTER NODES` line's slot ranges include `slot`. */
function servesSlot(line: string, slot: number): boolean {
  for (const range of line.split(' ').slice(8)) {
    if (range.startsWith('[')) continue;
    const [from, to] = range.split('-').map(Number);
    if (slot >= from! && slot <= (to ?? from!)) return true;
  }
  return false;
}

export interface StartedRedisSentinel extends AsyncDisposable {
  /** Sentinel URLs, as REDIS_SENTINEL_URLS takes them. */
  urls: string[];
  /** What REDIS_SENTINEL_MASTER names. */
  masterName: string;
  master: RedisNode;
  replica: RedisNode;
  /** Waits until the sentinels name a master other than `previous`. */
  failedOver(previous: RedisNode, timeoutMs?: number): Promise<RedisNode>;
}

/**
 * A master, one replica and three sentinels (quorum 2) from this machine's
 * redis-server, with short timeouts so killing the master fails over within
 * seconds.
 */
export async function startRedisSentinel(): Promise<StartedRedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-sentinel-'));
  const group = new ProcessGroup();
  const masterName = 'routemcp';
  const start = (port: number, args: string[]) =>
    group.start(`redis-${port}`, 'redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--repl-diskless-sync-delay',
      '0',
      ...args,
    ]);
  try {
    const masterPort = await freeNodePort();
    const replicaPort = await freeNodePort();
    const master: RedisNode = {
      port: masterPort,
      url: `redis://127.0.0.1:${masterPort}`,
      process: start(masterPort, []),
    };
    const replica: RedisNode = {
      port: replicaPort,
      url: `redis://127.0.0.1:${replicaPort}`,
      process: start(replicaPort, ['--replicaof', '127.0.0.1', String(masterPort)]),
    };
    for (const node of [master, replica])
      await until(`redis ${node.port}`, async () => (await cli(node.port, 'PING')) === 'PONG', 10_000);
    // A replica that never finished its first sync is no candidate for a failover.
    await until('the replica in sync', async () => (await cli(replicaPort, 'ROLE')).includes('\nconnected\n'), 30_000);
    const sentinels: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freeNodePort();
      const config = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 3000`,
          `sentinel parallel-syncs ${masterName} 1`,
        ].join('\n') + '\n',
      );
      group.start(`sentinel-${port}`, 'redis-server', [config, '--sentinel']);
      sentinels.push(port);
    }
    for (const port of sentinels)
      await until(
        `sentinel ${port}`,
        async () => (await cli(port, 'SENTINEL', 'get-master-addr-by-name', masterName)).includes(String(masterPort)),
        15_000,
      );
    return {
      urls: sentinels.map((port) => `redis://127.0.0.1:${port}`),
      masterName,
      master,
      replica,
      async failedOver(previous, timeoutMs = 30_000) {
        let current = previous;
        await until(
          'a sentinel failover',
          async () => {
            const addr = await cli(sentinels[0]!, 'SENTINEL', 'get-master-addr-by-name', masterName);
            const port = Number(addr.split('\n')[1]);
            if (port === previous.port || !(await cli(port, 'ROLE')).startsWith('master')) return false;
            current = port === master.port ? master : replica;
            return true;
          },
          timeoutMs,
        );
        return current;
      },
      async [Symbol.asyncDispose]() {
        await group.stopAll(1_000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await group.stopAll(1_000);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
