/**
 * Every Redis key name the limiter uses, in one place. All keys of one plan
 * share a Redis Cluster hash tag (the slot tag): the owner's when the key
 * has one (its shared buckets and quota are the owner's), the key's
 * otherwise, so one script call covers every bucket of a request in one slot.
 */
const PREFIX = 'routemcp:';

export type KeyScope = 'key' | 'owner';

export function slotTag(keyId: string, ownerId: string | null): string {
  return ownerId === null ? `{k:${keyId}}` : `{o:${ownerId}}`;
}

export function bucketKey(tag: string, scope: KeyScope, id: string, name: string): string {
  return scope === 'owner' ? `${PREFIX}rl:${tag}:s:${name}` : `${PREFIX}rl:${tag}:k:${id}:${name}`;
}

/** One counter per period: its start (epoch ms) is part of the name, so a new period starts from nothing. */
export function quotaKey(tag: string, scope: KeyScope, id: string, periodStart: number): string {
  return scope === 'owner' ? `${PREFIX}q:${tag}:s:${periodStart}` : `${PREFIX}q:${tag}:k:${id}:${periodStart}`;
}
