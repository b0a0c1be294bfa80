import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One export as the collector got it. */
export interface ReceivedExport {
  readonly contentType: string;
  readonly body: Buffer;
}

/** A span from an http/json export, flattened: attributes as a record, ids in hex. */
export interface ReceivedSpan {
  readonly service: string;
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  /** OTLP's numbers: 2 SERVER, 3 CLIENT. */
  readonly kind: number;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

export const SERVER = 2;
export const CLIENT = 3;

interface JsonValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface JsonSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  status?: { code?: number };
  attributes?: { key: string; value: JsonValue }[];
}
interface JsonExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: JsonValue }[] };
    scopeSpans?: { spans?: JsonSpan[] }[];
  }[];
}

/**
 * An OTLP/HTTP collector on loopback for tests: keeps every export's raw
 * bytes (to search them for what must never leave) and reads the spans of
 * the http/json ones. `waitFor` resolves on the export that satisfies it,
 * not after a fixed wait.
 */
export class OtlpReceiver implements AsyncDisposable {
  readonly exports: ReceivedExport[] = [];
  readonly #server: Server;
  readonly #waiters = new Set<() => void>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.exports.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        const json = (req.headers['content-type'] ?? '').includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
        for (const wake of this.#waiters) wake();
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new OtlpReceiver(server);
  }

  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Every span of every http/json export so far. */
  spans(): ReceivedSpan[] {
    const spans: ReceivedSpan[] = [];
    for (const received of this.exports) {
      if (!received.contentType.includes('json')) continue;
      const parsed = JSON.parse(received.body.toString('utf8')) as JsonExport;
      for (const resourceSpans of parsed.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
        for (const scope of resourceSpans.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              service,
              name: span.name,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              kind: span.kind,
              statusCode: span.status?.code ?? 0,
              attributes: attributesOf(span.attributes),
            });
      }
    }
    return spans;
  }

  /** Resolves once `found` returns a value (checked now and on every export), or rejects after `timeoutMs`. */
  async waitFor<T>(found: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const now = found();
    if (now !== undefined) return now;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no matching export within ${timeoutMs} ms (${this.exports.length} exports)`));
      }, timeoutMs);
      const check = () => {
        const value = found();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      this.#waiters.add(check);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

function attributesOf(
  list: { key: string; value: JsonValue }[] | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}
export { installRecordingTracing, type RecordingTracing } from './recording-tracing.ts';
