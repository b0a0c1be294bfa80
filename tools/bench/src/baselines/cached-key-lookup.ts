import { createHash } from 'node:crypto';

/** What the keystore's internal lookup returns (docs/internal-api.md). */
export interface KeyRecord {
  id: string;
  accountId: string;
  environment: 'live' | 'test';
  status: 'active' | 'revoked';
  rateLimit: { capacity: number; refillPerSecond: number } | null;
}

export interface CachedKeyLookupOptions {
  keystoreUrl: string;
  serviceToken: string;
  cacheTtlMs?: number;
  cacheMaxKeys?: number;
  now?: () => number;
}

/** `Authorization: Bearer sk_…` → the key, or null. */
export function bearerKey(authorization: string | undefined): string | null {
  return /^Bearer (sk_(?:live|test)_\w+)$/.exec(authorization ?? '')?.[1] ?? null;
}

/**
 * What a user's gateway does first: SHA-256 of the key, looked up in a `Map`
 * in front of the keystore's internal lookup (the baselines' shared key
 * cache, so (naive) and (fastify) differ only in their frameworks). Unknown keys are
 * cached too, as null.
 */
export function cachedKeyLookup(options: CachedKeyLookupOptions): (key: string) => Promise<KeyRecord | null> {
  const now = options.now ?? Date.now;
  const ttlMs = options.cacheTtlMs ?? 30_000;
  const maxKeys = options.cacheMaxKeys ?? 100_000;
  const cache = new Map<string, { record: KeyRecord | null; expiresAt: number }>();
  return async (key) => {
    const keyHash = createHash('sha256').update(key).digest('hex');
    const cached = cache.get(keyHash);
    if (cached && cached.expiresAt > now()) return cached.record;
    const res = await fetch(`${options.keystoreUrl}/internal/v1/keys/${keyHash}`, {
      headers: { authorization: `Bearer ${options.serviceToken}` },
    });
    const record = res.status === 200 ? ((await res.json()) as { data: KeyRecord }).data : null;
    if (res.status !== 200) await res.arrayBuffer();
    if (cache.size >= maxKeys) cache.delete(cache.keys().next().value as string);
    cache.set(keyHash, { record, expiresAt: now() + ttlMs });
    return record;
  };
}
