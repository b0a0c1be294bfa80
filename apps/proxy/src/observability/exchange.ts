/**
 * One request or upgrade as the recorder sees it, whichever entrance it came
 * through. The HTTP response object carries these fields itself (no record
 * is allocated per request); an upgrade fills a small object.
 */
export interface Exchange {
  readonly requestId: string;
  readonly keyId: string | null;
  readonly accountId: string | null;
  readonly method: string | undefined;
  /** The origin-form target; the recorder logs its path only. */
  readonly target: string | undefined;
  readonly statusCode: number;
  /** `ok`, an error code, or another refusal reason: the request counter's label. */
  readonly outcome: string;
  /** performance.now() at arrival, at forwarding and at the upstream's response head (0: not reached). */
  readonly startedAt: number;
  readonly forwardedAt: number;
  readonly upstreamRespondedAt: number;
  readonly upgrade: boolean;
}
