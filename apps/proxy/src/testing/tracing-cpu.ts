/**
 * What tracing costs the proxy per request when it samples nothing, in
 * process: `node apps/proxy/src/testing/tracing-cpu.ts [ratio] [requests]`.
 * Each request goes through what a traced exchange adds to an untraced
 * one — the SERVER span started around the handler (ExchangeSpans.http),
 * our `traceparent` written into the upstream's headers (TracedUpstream),
 * the span ended by the recorder (ExchangeSpans.end) — with the real SDK
 * and a ratio sampler (default 0.01), exporting to a port nobody listens
 * on. Prints the CPU µs per request, traced and untraced, five runs
 * interleaved, and their medians. A measuring tool, not a test.
 */
import { replaceTraceHeaders, startTracing } from '@routemcp/tracing';
import { context } from '@opentelemetry/api';
import type { Exchange } from '../observability/index.ts';
import { ExchangeSpans } from '../tracing/index.ts';

const ratio = Number(process.argv[2] ?? 0.01);
const requests = Number(process.argv[3] ?? 300_000);
const tracing = await startTracing({
  url: 'http://127.0.0.1:9/v1/traces',
  protocol: 'http/protobuf',
  sampler: 'parentbased_traceidratio',
  ratio,
  serviceName: 'tracing-cpu',
});
const spans = new ExchangeSpans(tracing);

const rawHeaders = ['Host', 'api.example.com', 'Authorization', 'Bearer x', 'Accept', '*/*', 'User-Agent', 'wrk'];
/** The upstream's header list as upstreamHeaders builds it (names as the client sent them). */
const upstreamList = () => [
  'Host',
  'api.example.com',
  'Accept',
  '*/*',
  'User-Agent',
  'wrk',
  'X-Request-Id',
  'req_1',
  'X-Forwarded-For',
  '127.0.0.1',
  'X-RouteMCP-Key-Id',
  'key_1',
  'X-RouteMCP-Account-Id',
  'acct_1',
  'X-RouteMCP-Environment',
  'live',
];
const exchange: Exchange & { keyId: string } = {
  requestId: 'req_1',
  keyId: 'key_1',
  accountId: 'acct_1',
  outcome: 'ok',
  startedAt: 0,
  forwardedAt: 1,
  upstreamRespondedAt: 2,
  method: 'GET',
  target: '/api/v1/contacts?provider=hubspot',
  statusCode: 200,
  upgrade: false,
};
const req = { method: 'GET', rawHeaders };
type Request = typeof req;
type Response = typeof exchange;
let sink = 0;

function untraced(_req: Request, res: Response): void {
  sink += upstreamList().length + res.statusCode;
}
function handled(_req: Request, res: Response): void {
  const headers = upstreamList();
  replaceTraceHeaders(tracing, context.active(), headers);
  sink += headers.length;
  spans.end(res);
}
const traced = spans.http('proxy', handled);

function run(handler: (request: Request, response: Response) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) handler(req, { ...exchange });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

const results = { untraced: [] as number[], traced: [] as number[] };
run(untraced);
run(traced);
for (let round = 0; round < 5; round++) {
  results.untraced.push(run(untraced));
  results.traced.push(run(traced));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const [name, values] of Object.entries(results))
  console.log(
    `${name.padEnd(9)} ${values.map((v) => v.toFixed(2)).join(' ')}  median ${median(values).toFixed(2)} µs/req`,
  );
console.log(
  `tracing at ${ratio}: +${(median(results.traced) - median(results.untraced)).toFixed(2)} µs/req (${sink > 0 ? 'ok' : ''})`,
);
await tracing.shutdown();
