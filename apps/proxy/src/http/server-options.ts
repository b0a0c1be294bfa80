import type { ServerOptions } from 'node:http';
import type { ProxyConfig } from '../config.ts';
import { ProxyRequest } from './proxy-request.ts';
import { ProxyResponse } from './proxy-response.ts';

/** The parser limits and timeouts every client-facing port shares (the proxy's and the forward-auth one). */
export function clientServerOptions(
  config: ProxyConfig,
  shouldUpgradeCallback: (req: ProxyRequest) => boolean,
): ServerOptions<typeof ProxyRequest, typeof ProxyResponse> {
  return {
    IncomingMessage: ProxyRequest,
    ServerResponse: ProxyResponse,
    insecureHTTPParser: false,
    // The pipeline answers a missing Host with the envelope; Node's own answer is a bare 400.
    requireHostHeader: false,
    maxHeaderSize: config.MAX_HEADER_BYTES,
    headersTimeout: config.HEADERS_TIMEOUT_MS,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    // Node checks header/request timeouts on this interval (30 s by default): too coarse against Slowloris.
    connectionsCheckingInterval: Math.min(1_000, config.HEADERS_TIMEOUT_MS),
    shouldUpgradeCallback,
  };
}
