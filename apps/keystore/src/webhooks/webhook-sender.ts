import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { AttemptOutcome, ClaimedDelivery } from './webhook-record.ts';
import { publicLookup, urlProblem } from './receiver-url.ts';

/** One attempt of one delivery; never throws: a failure is an outcome. */
export type SendAttempt = (delivery: ClaimedDelivery, now: number) => Promise<AttemptOutcome>;

export interface HttpSenderOptions {
  /** Loopback and private receivers allowed (KEYSTORE_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Connect + answer within this, or the attempt failed. */
  timeoutMs?: number;
}

export const SEND_TIMEOUT_MS = 10_000;
const USER_AGENT = 'RouteMCP-Webhooks/1';

/** The Standard Webhooks headers for one attempt: the event's id, now, and the signature of `id.now.body`. */
export function signedHeaders(delivery: Pick<ClaimedDelivery, 'eventId' | 'body' | 'secret'>, now: number) {
  const at = new Date(now);
  return {
    'webhook-id': delivery.eventId,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': new Webhook(delivery.secret).sign(delivery.eventId, at, delivery.body),
  };
}

/**
 * Sends with undici: its own connection pool, every phase under the timeout,
 * no redirects followed (a 3xx is a failed attempt, never a second target),
 * and, unless private receivers are allowed, every name resolved through
 * `publicLookup`. Returns the sender and its closer.
 */
export function httpSender(options: HttpSenderOptions): { send: SendAttempt; close: () => Promise<void> } {
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const agent = new Agent({
    connect: { timeout: timeoutMs, ...(options.allowPrivate ? {} : { lookup: publicLookup }) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4000,
  });
  const send: SendAttempt = async (delivery, now) => {
    const refused = urlProblem(delivery.url, options.allowPrivate);
    if (refused !== undefined) return { ok: false, responseStatus: null, error: `url: ${refused}` };
    try {
      const res = await request(delivery.url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          ...signedHeaders(delivery, now),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // What the receiver says is not kept: only its status.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return ok ? { ok, responseStatus: res.statusCode } : { ok, responseStatus: res.statusCode, error: null };
    } catch (error) {
      return { ok: false, responseStatus: null, error: describeFailure(error) };
    }
  };
  // destroy, not close: a receiver that hangs must not hold the keystore's shutdown.
  return { send, close: () => agent.destroy() };
}

/** One short phrase per kind of failure: what the deliveries list shows, with no library's codes. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown; name?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timed out';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EPRIVATEADDRESS':
      return error instanceof Error ? error.message : 'refused private address';
    default:
      return typeof code === 'string' && code.startsWith('ERR_TLS') ? 'TLS handshake failed' : 'network error';
  }
}
