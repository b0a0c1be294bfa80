import { z } from 'zod';
import { keyHashSchema } from './key-lookup.ts';

export const EVENTS_PATH = '/internal/v1/events';

export const KEY_EVENT_TYPES = ['created', 'revoked', 'rolled', 'updated', 'expired'] as const;
export const keyEventTypeSchema = z.enum(KEY_EVENT_TYPES);
export type KeyEventType = z.infer<typeof keyEventTypeSchema>;

/** `data` of an `event: key` message. On any type the proxy drops that hash from its cache. */
export const keyEventSchema = z.object({
  type: keyEventTypeSchema,
  keyId: z.string().min(1),
  keyHash: keyHashSchema,
  at: z.iso.datetime({ offset: true }),
});
export type KeyEventData = z.infer<typeof keyEventSchema>;

/** `data` of the `event: hello` that opens every stream; its `id` is `<epoch>:<seq>`. */
export const helloEventSchema = z.object({ epoch: z.string().min(1), seq: z.number().int().min(0) });
export type HelloEventData = z.infer<typeof helloEventSchema>;

export const RESET_REASONS = ['malformed', 'epoch', 'pruned', 'ahead', 'behind'] as const;
/** `data` of `event: reset`: the client's Last-Event-ID cannot be replayed, so it flushes its cache. */
export const resetEventSchema = z.object({ reason: z.enum(RESET_REASONS) });
export type ResetReason = z.infer<typeof resetEventSchema>['reason'];

/**
 * SSE `id` of every event: the database's epoch (random, made with the
 * database) and the event's seq. Both are per database, not per replica, so
 * an id from one replica resumes on any other.
 */
export const EVENT_ID = /^([0-9A-Za-z]{1,64}):(0|[1-9][0-9]{0,15})$/;

export const formatEventId = (epoch: string, seq: number): string => `${epoch}:${seq}`;

export function parseEventId(id: string): { epoch: string; seq: number } | undefined {
  const match = EVENT_ID.exec(id.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { epoch: match[1], seq: Number(match[2]) };
}
