import { writeError } from '@routemcp/errors';
import type { Logger } from 'pino';
import { failureCode, type ForwardResponse, type UpstreamError } from '../upstream/index.ts';
import type { ProxyResponse } from './proxy-response.ts';

/**
 * The one handler for every failure while forwarding an HTTP request.
 * Answers with the envelope while the head is not out; afterwards the only
 * honest signal left is cutting the connection, so a truncated body is never
 * mistaken for a complete one. Expected failures (upstream down, slow) are a
 * warning without a stack; anything else is an error with one.
 */
export function createUpstreamFailureHandler(logger: Logger) {
  return function onUpstreamFailure(forwarded: ForwardResponse, error: UpstreamError): void {
    const res = forwarded as ProxyResponse;
    const code = failureCode(error.failure);
    if (code === null) {
      res.outcome = 'CLIENT_CLOSED';
      return;
    }
    res.outcome = code;
    if (error.failure !== 'payload-too-large') {
      const fields = { err: { code: error.code, message: error.message }, reqId: res.requestId, method: res.method };
      if (error.expected) logger.warn(fields, 'upstream request failed');
      else logger.error({ ...fields, err: error.cause ?? error }, 'unexpected upstream error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const headers = res.ownHeaders;
    // The rest of an oversized body is never read: close instead of draining it.
    if (error.failure === 'payload-too-large' || !res.keepAlive) headers.push('connection', 'close');
    if (!writeError(res, code, { headers })) res.destroy();
  };
}
