import type { ErrorCode } from '@routemcp/errors';
import { canonicalTarget, pathOf, type CanonicalPath } from '@routemcp/internal-api';
import type { Clock } from '../clock.ts';
import type { KeyRecord, KeyVerifier } from '../key-lookup/index.ts';
import type { Limiter, LimitResult } from '../rate-limit/index.ts';
import type { AuthFailureBudget } from './auth-failure-budget.ts';
import { badFraming } from './check-framing.ts';
import { policyOf, type KeyPolicy } from './key-policy.ts';
import { pushLimitHeaders, type RateLimitDefaults } from './limit.ts';
import type { PublicPathMatcher } from './public-paths.ts';
import { ConnectionKeys } from './connection-keys.ts';
import type { RequestHead } from './request-head.ts';
import { toOriginForm } from './request-target.ts';
import { verifyKeyHash, type VerifyKeyResult } from './verify-key.ts';

/** What the pipeline reads of a request, whichever entrance (HTTP request or WebSocket upgrade) it came through. */
export interface PipelineRequest {
  readonly method?: string | undefined;
  /**
   * The request target; rewritten in place to its canonical form, which is
   * what the policy checks and what the upstream receives.
   */
  url?: string | undefined;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly head: RequestHead;
  /** The client (the socket peer, or per TRUSTED_PROXIES): the failed-auth budget's client, the allow-list's subject. */
  readonly clientAddress: string | undefined;
  /** The client's connection, when the entrance has one: a key it repeats is parsed and hashed once (ConnectionKeys). */
  readonly socket?: object | undefined;
  /** The client left, or its connection can no longer be answered. */
  gone(): boolean;
}

/** Let through. `key` is null on a public path (no key read, no bucket). */
export interface Authorized {
  readonly kind: 'authorized';
  readonly key: KeyRecord | null;
  /** The key's compiled policies (null on a public path): headers for the upstream. */
  readonly policy: KeyPolicy | null;
  readonly limits: LimitResult | null;
  /** Response headers the answer must carry (RateLimit-*), flat. */
  readonly headers: readonly string[];
}

/** Answered here with `code`, before any upstream connection exists. */
export interface Refused {
  readonly kind: 'refused';
  readonly code: ErrorCode;
  /** The metrics and access-log label: the code, or a finer reason. */
  readonly outcome: string;
  /** The key, when it was identified before the refusal (forbidden, limited). */
  readonly key: KeyRecord | null;
  /** Response headers the refusal must carry (RateLimit-*, Retry-After), flat. */
  readonly headers: readonly string[];
  /** The envelope's message when not the code's default. */
  readonly message: string | undefined;
}

/** The client left while we decided: nobody to answer, no token spent after it left. */
export interface Abandoned {
  readonly kind: 'abandoned';
  readonly key: KeyRecord | null;
}

export type Authorization = Authorized | Refused | Abandoned;

/** The metrics/log outcome of a 429 from the failed-authentication budget, apart from per-key limits. */
export const AUTH_FAILURES_OUTCOME = 'AUTH_FAILURES_LIMITED';
/** The outcome of a 400 for a target with no safe canonical form (canonicalTarget). */
export const BAD_PATH = 'BAD_PATH';
/** Outcomes of a 403 FORBIDDEN, by what refused it. */
export const FORBIDDEN_BY_IP = 'FORBIDDEN_IP';
export const FORBIDDEN_BY_PERMISSION = 'FORBIDDEN_PERMISSION';
/** The message of a 403 for a key that may not make this request (the docs' wording). */
export const FORBIDDEN_MESSAGE = 'This API key is not allowed to call this endpoint';

const NONE: readonly string[] = Object.freeze([]);
const PUBLIC: Authorized = Object.freeze({ kind: 'authorized', key: null, policy: null, limits: null, headers: NONE });
const refusal = (code: ErrorCode): Refused =>
  Object.freeze({ kind: 'refused', code, outcome: code, key: null, headers: NONE, message: undefined });
const REFUSED = {
  BAD_REQUEST: refusal('BAD_REQUEST'),
  PAYLOAD_TOO_LARGE: refusal('PAYLOAD_TOO_LARGE'),
  INVALID_API_KEY: refusal('INVALID_API_KEY'),
  AUTH_UNAVAILABLE: refusal('AUTH_UNAVAILABLE'),
} as const satisfies Partial<Record<ErrorCode, Refused>>;
const BAD_PATH_REFUSED: Refused = Object.freeze({ ...REFUSED.BAD_REQUEST, outcome: BAD_PATH });

export interface AuthorizerDeps {
  verifier: KeyVerifier;
  limiter: Limiter;
  failures: AuthFailureBudget;
  isPublic: PublicPathMatcher;
  rateLimits: RateLimitDefaults;
  maxBodyBytes: number;
  clock: Clock;
  /** Reads and hashes the key (a test injects one that counts digests). */
  keys?: ConnectionKeys;
}

/**
 * The request path both entrances share, as named steps: framing → target
 * (origin-form, then canonical, rewritten in place) → declared body size →
 * public path? → failed-auth budget → read key →
 * verify → IP allow-list → permissions → (client still there?) → every
 * bucket and the quota (one limiter decision) → (client still there?).
 * The answer is a value; how it is written (an HTTP response, or bytes on
 * an upgrade socket) is the entrance's business.
 *
 * Synchronous while nothing waits on I/O (a cache hit on a local bucket), a
 * promise otherwise: the hot path pays no microtask it does not need.
 */
export class Authorizer {
  readonly #deps: AuthorizerDeps;
  readonly #keys: ConnectionKeys;

  constructor(deps: AuthorizerDeps) {
    this.#deps = deps;
    this.#keys = deps.keys ?? new ConnectionKeys();
  }

  authorize(req: PipelineRequest): Authorization | Promise<Authorization> {
    const { failures, isPublic, maxBodyBytes, verifier, clock } = this.#deps;
    const head = req.head;
    if (badFraming(req, head) || !toOriginForm(req, head)) return REFUSED.BAD_REQUEST;
    // Computed once: the public paths and the permissions match this path, and the upstream receives this target.
    const target = canonicalTarget(req.url!);
    if (target === null) return BAD_PATH_REFUSED;
    if (target !== req.url) req.url = target;
    const path = pathOf(target);
    if (head.contentLength !== undefined && Number(head.contentLength) > maxBodyBytes) return REFUSED.PAYLOAD_TOO_LARGE;
    if (isPublic(path)) return PUBLIC;
    const admission = failures.admit(req.clientAddress);
    if (admission > 0) {
      return {
        kind: 'refused',
        code: 'RATE_LIMITED',
        outcome: AUTH_FAILURES_OUTCOME,
        key: null,
        headers: ['Retry-After', String(admission)],
        message: undefined,
      };
    }
    const keyHash = this.#keys.keyHashOf(head, req.socket);
    if (keyHash === null) {
      failures.settle(req.clientAddress, admission, true);
      return REFUSED.INVALID_API_KEY;
    }
    const verified = verifyKeyHash(verifier, keyHash, clock.now());
    return verified instanceof Promise
      ? verified.then((result) => this.#verified(req, path, result, admission))
      : this.#verified(req, path, verified, admission);
  }

  #verified(
    req: PipelineRequest,
    path: CanonicalPath,
    verified: VerifyKeyResult,
    admission: number,
  ): Authorization | Promise<Authorization> {
    this.#deps.failures.settle(req.clientAddress, admission, !verified.ok && verified.code === 'INVALID_API_KEY');
    if (!verified.ok) return verified.code === 'INVALID_API_KEY' ? REFUSED.INVALID_API_KEY : REFUSED.AUTH_UNAVAILABLE;
    const { key } = verified;
    const policy = policyOf(key, this.#deps.rateLimits);
    if (!policy.allowsFrom(req.clientAddress)) return forbidden(key, FORBIDDEN_BY_IP);
    if (!policy.permits(req.method ?? '', path)) return forbidden(key, FORBIDDEN_BY_PERMISSION);
    // The client may have left during the lookup, or the parser refused the
    // rest of its request meanwhile (and answered it): spend no token on it.
    if (req.gone()) return { kind: 'abandoned', key };
    const limits = this.#deps.limiter.admit(policy.plan(this.#deps.clock.now()));
    return limits instanceof Promise
      ? limits.then((taken) => limited(req, key, policy, taken))
      : limited(req, key, policy, limits);
  }
}

function forbidden(key: KeyRecord, outcome: string): Refused {
  return { kind: 'refused', code: 'FORBIDDEN', outcome, key, headers: NONE, message: FORBIDDEN_MESSAGE };
}

function limited(req: PipelineRequest, key: KeyRecord, policy: KeyPolicy, limits: LimitResult): Authorization {
  const headers: string[] = [];
  pushLimitHeaders(headers, limits, policy.policyHeader);
  if (!limits.allowed) {
    const code = limits.refusedBy === 'quota' ? 'QUOTA_EXCEEDED' : 'RATE_LIMITED';
    return { kind: 'refused', code, outcome: code, key, headers, message: undefined };
  }
  if (req.gone()) return { kind: 'abandoned', key };
  return { kind: 'authorized', key, policy, limits, headers };
}
