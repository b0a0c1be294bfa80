import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { endServerSpan, rawHeadersGetter, startServerSpan, type Tracing } from '@routemcp/tracing';

/**
 * Runs `handle` inside a SERVER span for one API request, continuing the
 * caller's trace (a proxy's lookup span is the parent of the keystore's),
 * ended when the response closes. The span names the route's pattern, and
 * `url.path` is the pattern too when the path has parameters: a lookup's
 * path holds a key hash, which never goes into a span.
 */
export function traceRequest(
  tracing: Tracing,
  req: IncomingMessage,
  res: ServerResponse,
  route: { pattern: string; pathname: string },
  handle: () => void,
): void {
  const method = req.method ?? 'GET';
  const { span, context: active } = startServerSpan(
    tracing,
    `${method} ${route.pattern}`,
    req.rawHeaders,
    rawHeadersGetter,
    {
      'http.request.method': method,
      'http.route': route.pattern,
      'url.path': route.pattern.includes(':') ? route.pattern : route.pathname,
    },
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    endServerSpan(span, res.statusCode);
  });
  context.with(active, handle);
}
