import { redact } from '@routemcp/api-key';
import type { Logger } from 'pino';
import type { ProxyMetrics } from './metrics.ts';
import type { ProxyResponse } from '../http/proxy-response.ts';

/** Per-key usage for the dashboard, reported to the keystore in batches (UsageRecorder). */
export interface UsageCounter {
  record(keyId: string, rateLimited: boolean): void;
}

/** The path as it may be logged: no query string (it can carry anything), and nothing key-shaped. */
export function loggablePath(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return redact(query === -1 ? url : url.slice(0, query));
}

/**
 * One listener shared by every response ('close' fires after a complete
 * answer and after an abort alike): one log line and the request metrics.
 */
export function createAccessLog(options: { logger: Logger; metrics: ProxyMetrics; usage?: UsageCounter }) {
  const { logger, metrics, usage } = options;
  return function onResponseClose(this: ProxyResponse): void {
    if (!this.writableFinished && this.outcome === 'ok') this.outcome = 'CLIENT_CLOSED';
    const ms = performance.now() - this.startedAt;
    metrics.request(this.outcome, ms / 1000);
    if (usage !== undefined && typeof this.keyId === 'string')
      usage.record(this.keyId, this.outcome === 'RATE_LIMITED');
    // The line's object and its redacted path cost per request even when pino would drop them.
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        reqId: this.requestId,
        keyId: this.keyId,
        accountId: this.accountId,
        method: this.req.method,
        path: loggablePath(this.req.url),
        status: this.statusCode,
        outcome: this.outcome,
        ms: Math.round(ms * 1000) / 1000,
      },
      'request',
    );
  };
}
