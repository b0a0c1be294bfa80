/**
 * Where the forward-auth answer's CPU goes against a bare `node:http` 200
 * (the bench's authz-floor): `node apps/proxy/src/testing/authz-cost.ts
 * [rounds] [seconds]` serves four variants, each in its own process, and
 * loads each in turn with `wrk -t1 -c50` on the bench's request:
 *
 * - `bare`: the bench's allow-all server (one header, no work);
 * - `headers`: the same, answering with the authz's 12 headers;
 * - `handler`: createAuthzServer (its server options and classes, readHead,
 *   the request id, the original request, the canonical-target check, the
 *   recorder) over an authorizer that hands back one settled answer;
 * - `authz`: createAuthzServer over the real Authorizer on a hot key
 *   (hot-authorizer.ts): what the bench's authz runs, without its sockets
 *   to Redis and the keystore.
 *
 * The servers share one core and wrk has the other (taskset), so each
 * variant's CPU per request is its own; the figure is each variant's CPU
 * per request ÷ bare's in the same round, median and quartiles over the
 * rounds. Short rounds, many of them: this machine's speed drifts by a
 * quarter within a minute, and a same-round ratio cancels the drift.
 * A measuring tool, not a test. Needs wrk and taskset.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { generate } from '@routemcp/api-key';
import { freePort } from '@routemcp/testing/free-port';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../config.ts';
import { createAuthzServer, type AuthzHttpServer } from '../http/authz-server.ts';
import { ProxyMetrics, Recorder } from '../observability/index.ts';
import { ClientAddresses, type Authorizer } from '../pipeline/index.ts';
import { hotAuthorizer, hotRequest } from './hot-authorizer.ts';

const VARIANTS = ['bare', 'headers', 'handler', 'authz'] as const;
type Variant = (typeof VARIANTS)[number];
const TARGET = '/authz/api/v1/contacts?provider=hubspot';
/** What the authz answers an allowed hot key with (RateLimit-*, the identity as Caddy gets it, framing). */
const AUTHZ_HEADERS = [
  ['X-Request-Id', '3f5617c0-8187-8a8d-8c01-000000000000'],
  ['RateLimit-Limit', '1000000000'],
  ['RateLimit-Remaining', '1000000000'],
  ['RateLimit-Reset', '0'],
  ['RateLimit-Policy', '"default";q=1000000000;w=1'],
  ['x-routemcp-key-id', 'key_1'],
  ['x-routemcp-account-id', 'acct_1'],
  ['x-routemcp-environment', 'live'],
  ['x-routemcp-owner-id', ''],
  ['x-routemcp-key-meta', ''],
  ['content-length', '0'],
  ['cache-control', 'no-store'],
].flat();

async function serve(variant: Variant, port: number, key: string): Promise<void> {
  const answerWith = (headers: readonly string[]) => (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, headers.slice());
    res.end();
  };
  let server: Server | AuthzHttpServer;
  if (variant === 'bare') server = createServer(answerWith(['content-length', '0']));
  else if (variant === 'headers') server = createServer(answerWith(AUTHZ_HEADERS));
  else {
    const registry = new Registry();
    const logger = pino({ level: 'warn' }, pino.destination({ dest: 2, sync: false, minLength: 4096 }));
    const metrics = new ProxyMetrics({ registry });
    const { authorizer: real } = await hotAuthorizer({ logger, registry, key });
    let authorizer: Pick<Authorizer, 'authorize'> = real;
    if (variant === 'handler') {
      const settled = await real.authorize(hotRequest(key));
      authorizer = { authorize: () => settled };
    }
    const config = loadConfig({
      UPSTREAM_URL: 'http://127.0.0.1:9',
      KEYSTORE_URL: 'http://127.0.0.1:9',
      KEYSTORE_SERVICE_TOKEN: 'x'.repeat(32),
    });
    server = createAuthzServer(config, {
      authorizer: authorizer as Authorizer,
      clients: new ClientAddresses([]),
      recorder: new Recorder({ logger, metrics, usage: { record() {} } }),
      logger,
      metrics,
    });
  }
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.once('SIGTERM', () => process.exit(0));
}

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6;
}

function load(port: number, key: string, seconds: number, cpus: string): number {
  const out = execFileSync(
    'taskset',
    [
      '-c',
      cpus,
      'wrk',
      '-t1',
      '-c50',
      `-d${seconds}s`,
      '-H',
      `Authorization: Bearer ${key}`,
      `http://127.0.0.1:${port}${TARGET}`,
    ],
    { encoding: 'utf8' },
  );
  const served = /(\d+) requests in/.exec(out);
  if (served === null || /Non-2xx/.test(out)) throw new Error(`wrk: ${out}`);
  return Number(served[1]);
}

async function start(variant: Variant, port: number, key: string, cpus: string): Promise<ChildProcess> {
  const child = spawn(
    'taskset',
    ['-c', cpus, process.execPath, ...process.execArgv, import.meta.filename, 'serve', variant, String(port)],
    // The key goes by the environment, not the command line, which `ps` shows.
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AUTHZ_COST_KEY: key } },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`${variant} exited with ${code}`)));
  });
  return child;
}

function quartiles(values: number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]!;
  return [at(0.25), at(0.5), at(0.75)];
}

async function drive(rounds: number, seconds: number): Promise<void> {
  const [serverCpus, wrkCpus] = availableParallelism() >= 2 ? ['1', '0'] : ['0', '0'];
  const key = generate('live');
  const children = new Map<Variant, { child: ChildProcess; port: number }>();
  try {
    for (const variant of VARIANTS) {
      const port = await freePort();
      children.set(variant, { child: await start(variant, port, key, serverCpus), port });
    }
    for (const { port } of children.values()) load(port, key, 2, wrkCpus);
    const perRound = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [variant, { child, port }] of children) {
        const before = cpuMicros(child.pid!);
        const served = load(port, key, seconds, wrkCpus);
        perRound.get(variant)!.push((cpuMicros(child.pid!) - before) / served);
      }
    }
    const bare = perRound.get('bare')!;
    for (const variant of VARIANTS) {
      const own = perRound.get(variant)!;
      const [, median] = quartiles(own);
      const [q1, ratio, q3] = quartiles(own.map((us, i) => us / bare[i]!));
      const range = `${Math.min(...own).toFixed(1)}–${Math.max(...own).toFixed(1)}`;
      process.stdout.write(
        `${variant.padEnd(8)} CPU µs/req median ${median.toFixed(1).padStart(6)} (rounds ${range})   ÷ bare, same round: median ${ratio.toFixed(2)} (quartiles ${q1.toFixed(2)}–${q3.toFixed(2)})\n`,
      );
    }
  } finally {
    for (const { child } of children.values()) child.kill('SIGTERM');
  }
}

if (process.argv[2] === 'serve')
  await serve(process.argv[3] as Variant, Number(process.argv[4]), process.env.AUTHZ_COST_KEY!);
else await drive(Number(process.argv[2] ?? 16), Number(process.argv[3] ?? 1));
