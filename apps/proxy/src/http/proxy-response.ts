import type { ClientRequest, IncomingMessage } from 'node:http';
import { ServerResponse } from 'node:http';

/**
 * The server's response class, carrying what the access log, metrics and
 * error handler need to know about this request. Plain fields on one class
 * keep the hot path free of per-request closures and side tables.
 */
export class ProxyResponse extends ServerResponse<IncomingMessage> {
  requestId = '';
  keyId: string | null = null;
  accountId: string | null = null;
  /** `ok` or an error code; what the request counter is labelled with. */
  outcome = 'ok';
  /** performance.now() when the request arrived, and when it was handed to the upstream. */
  startedAt = 0;
  forwardedAt = 0;
  /** Set once the request is sent upstream, so a body over the limit can cancel it. */
  upstreamRequest: ClientRequest | null = null;
  bodyTooLarge = false;
  /** Our RateLimit headers must win over any the upstream sends. */
  rateLimited = false;
}
