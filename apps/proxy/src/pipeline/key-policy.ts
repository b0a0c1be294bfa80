import { isIP, type BlockList } from 'node:net';
import { LRUCache } from 'lru-cache';
import { canonicalTarget, type CanonicalPath } from '@routemcp/internal-api';
import type { KeyRecord } from '../key-lookup/index.ts';
import { KeyPlan, type LimitPlan } from '../rate-limit/index.ts';
import type { RateLimitDefaults } from './limit.ts';
import { toBlockList } from './client-address.ts';

/** One `METHOD /path` pattern: `*` a method or one segment, a trailing `/**` any rest. */
interface Permission {
  method: string | null;
  segments: readonly string[];
  /** A trailing `/**`: the path may go on (or stop) after `segments`. */
  rest: boolean;
}

/**
 * A key's policies, compiled once per record in use (policyOf): matchers,
 * the limit plan, the headers it adds.
 */
export class KeyPolicy {
  readonly #permissions: readonly Permission[] | null;
  readonly #addresses: BlockList | null;
  readonly #limits: KeyPlan;
  /** X-RouteMCP-Owner-Id and X-RouteMCP-Key-Meta, flat, ready to append. */
  readonly upstreamHeaders: readonly string[];
  /** `RateLimit-Policy`: every bucket as `"name";q=capacity;w=seconds to refill from empty`. */
  readonly policyHeader: string;

  constructor(key: KeyRecord, defaults: RateLimitDefaults) {
    this.#permissions = key.permissions === null || key.permissions === undefined ? null : key.permissions.map(compile);
    this.#addresses = key.allowedIps === null || key.allowedIps === undefined ? null : toBlockList(key.allowedIps);
    const owner = key.ownerId ?? null;
    this.#limits = new KeyPlan({
      id: key.id,
      ownerId: owner,
      rateLimit: key.rateLimit ?? defaults[key.environment],
      rateLimits: key.rateLimits ?? null,
      quota: key.quota ?? null,
    });
    const headers: string[] = [];
    if (owner !== null) headers.push('x-routemcp-owner-id', owner);
    if (key.metadata !== null && key.metadata !== undefined)
      headers.push('x-routemcp-key-meta', Buffer.from(JSON.stringify(key.metadata)).toString('base64url'));
    this.upstreamHeaders = headers;
    this.policyHeader = this.#limits.buckets
      .map(
        ({ name, limit }) =>
          `"${name}";q=${limit.capacity};w=${Math.max(1, Math.ceil(limit.capacity / limit.refillPerSecond))}`,
      )
      .join(', ');
  }

  /**
   * Whether the key may call `method` on `path`; true when it has no permission list. The path is the
   * canonical one the upstream will receive, so what is checked here is what is forwarded.
   */
  permits(method: string, path: CanonicalPath): boolean {
    if (this.#permissions === null) return true;
    const segments = path.split('/').slice(1);
    return this.#permissions.some((permission) => matches(permission, method, segments));
  }

  /** Whether the key may be used from `address`; true when it has no allow-list. */
  allowsFrom(address: string | undefined): boolean {
    if (this.#addresses === null) return true;
    if (address === undefined) return false;
    const family = isIP(address);
    return family !== 0 && this.#addresses.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The buckets and the quota for a request at `now` (a new quota period starts a new counter). */
  plan(now: number): LimitPlan {
    return this.#limits.at(now);
  }
}

/**
 * Compiled policies of the records used most recently. Bounded, not one per
 * cached key: a full key cache holds 100 000 records, most of them cold, and
 * a compiled policy (bucket keys, headers) costs several hundred bytes. A
 * record is immutable (a change event replaces it), so keying by the record
 * itself can never serve a stale policy.
 */
const policies = new LRUCache<KeyRecord, KeyPolicy>({ max: 10_000 });

/** The compiled policy of a cached record (made on first use, or again once it fell out). */
export function policyOf(key: KeyRecord, defaults: RateLimitDefaults): KeyPolicy {
  let policy = policies.get(key);
  if (policy === undefined) {
    policy = new KeyPolicy(key, defaults);
    policies.set(key, policy);
  }
  return policy;
}

/** Matches no request: a permission whose path has no canonical form (`%2e`, `..;`) names nothing that is forwarded. */
const NOTHING: Permission = { method: '', segments: [], rest: false };

function compile(text: string): Permission {
  const space = text.indexOf(' ');
  const method = text.slice(0, space).toUpperCase();
  // The permission's path in the form requests are matched in (`%7E` is `~`, `%c3` is `%C3`).
  const path = canonicalTarget(text.slice(space + 1).trim());
  if (path === null) return NOTHING;
  const segments = path.split('/').slice(1);
  const rest = segments.at(-1) === '**';
  if (rest) segments.pop();
  return { method: method === '*' ? null : method, segments, rest };
}

function matches(permission: Permission, method: string, segments: readonly string[]): boolean {
  if (permission.method !== null && permission.method !== method) return false;
  const want = permission.segments;
  if (permission.rest ? segments.length < want.length : segments.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part === '*' ? segments[i] === '' : part !== segments[i]) return false;
  }
  return true;
}
