/**
 * The proxy's own CPU per request on the hot path, in-process and without
 * sockets: `node apps/proxy/src/testing/hot-path-cpu.ts [warn|info] [requests]`.
 * Each request runs the handler's steps as the server runs them — readHead,
 * the request id, authorize() with the real CachingKeyVerifier and a held
 * token lease, upstreamHeaders, the recorder (at info: the access-log line
 * through the proxy's sonic-boom settings, into /dev/null) — on one
 * keep-alive "connection". CPU time from process.cpuUsage(), so other
 * processes on the machine do not move it the way they move req/s; prints
 * five runs and their median. A measuring tool, not a test: compare a
 * change by running it before and after, interleaved.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ProxyMetrics, Recorder } from '../observability/index.ts';
import { ClientAddresses, readHead, requestIdOf, upstreamHeaders, type PipelineRequest } from '../pipeline/index.ts';
import { hotAuthorizer } from './hot-authorizer.ts';

const level = process.argv[2] === 'info' ? 'info' : 'warn';
const requests = Number(process.argv[3] ?? 1_000_000);
const registry = new Registry();
const logger = pino(
  { level, base: { service: 'routemcp-proxy' }, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ dest: '/dev/null', sync: false, minLength: 4096, periodicFlush: 200 }),
);
// Its first lookup and first lease are settled before it returns.
const { authorizer, key } = await hotAuthorizer({ logger, registry });
const clients = new ClientAddresses([]);
const recorder = new Recorder({ logger, metrics: new ProxyMetrics({ registry }), usage: { record() {} } });
const rawHeaders = ['Host', '127.0.0.1:5001', 'Authorization', `Bearer ${key}`];
const socket = {};

function once(): void {
  const head = readHead(rawHeaders);
  const req: PipelineRequest = {
    method: 'GET',
    url: '/api/v1/contacts?provider=hubspot',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    head,
    clientAddress: clients.of('127.0.0.1', head.forwardedFor),
    socket,
    gone: () => false,
  };
  const started = performance.now();
  const requestId = requestIdOf(head.requestId);
  const own = ['X-Request-Id', requestId];
  const result = authorizer.authorize(req);
  if (result instanceof Promise || result.kind !== 'authorized' || result.key === null)
    throw new Error('the hot path was not taken');
  for (const header of result.headers) own.push(header);
  upstreamHeaders(
    { rawHeaders, head, clientAddress: req.clientAddress },
    result.key,
    requestId,
    false,
    result.policy?.upstreamHeaders,
  );
  recorder.record({
    requestId,
    keyId: result.key.id,
    accountId: result.key.accountId,
    method: 'GET',
    target: req.url,
    statusCode: 200,
    outcome: 'ok',
    startedAt: started,
    forwardedAt: started,
    upstreamRespondedAt: performance.now(),
    upgrade: false,
  });
}

/** `count` requests, yielding to the event loop now and then as a server would (the logger writes meanwhile). */
async function run(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    once();
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
}

// Warm the JIT.
await run(200_000);
const perRun: number[] = [];
for (let r = 0; r < 5; r++) {
  const before = process.cpuUsage();
  await run(requests / 5);
  const used = process.cpuUsage(before);
  perRun.push((used.user + used.system) / (requests / 5));
}
const sorted = [...perRun].sort((a, b) => a - b);
process.stdout.write(
  `${level}: µs CPU per request, 5 runs: ${perRun.map((x) => x.toFixed(3)).join(' ')}; median ${sorted[2]!.toFixed(3)}\n`,
);
process.exit(0);
