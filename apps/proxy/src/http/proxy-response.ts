import { ServerResponse } from 'node:http';
import type { Exchange } from '../observability/index.ts';
import type { ForwardResponse } from '../upstream/index.ts';
import type { ProxyRequest } from './proxy-request.ts';

/**
 * The server's response class, carrying what forwarding, the recorder and
 * the error answers need to know about this request. Plain fields on one
 * class keep the hot path free of per-request closures and side tables.
 */
export class ProxyResponse extends ServerResponse<ProxyRequest> implements ForwardResponse, Exchange {
  requestId = '';
  keyId: string | null = null;
  accountId: string | null = null;
  /** `ok` or an error code; what the request counter is labelled with. */
  outcome = 'ok';
  startedAt = 0;
  forwardedAt = 0;
  upstreamRespondedAt = 0;
  /** X-Request-Id, then RateLimit-* once limited: written with whatever answer this request gets. */
  ownHeaders: string[] = [];
  ownRateLimit = false;
  keepAlive = true;
  upstream: { cancel(): void } | null = null;
  readonly upgrade = false;

  get method(): string | undefined {
    return this.req.method;
  }

  get target(): string | undefined {
    return this.req.url;
  }
}
