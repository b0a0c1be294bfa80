import { parseEventId, type ResetReason } from '@routemcp/internal-api';

export { formatEventId as eventId } from '@routemcp/internal-api';
export type { ResetReason };

/** Where a reconnecting stream resumes: replay after `seq`, or reset (flush) and go live. */
export type Resume = { kind: 'fresh' } | { kind: 'replay'; seq: number } | { kind: 'reset'; reason: ResetReason };

export interface LogPosition {
  epoch: string;
  latestSeq: number;
  /** Highest seq deleted by retention. */
  prunedThrough: number;
}

/**
 * Further behind than this, a flush is cheaper than a replay, and a replay
 * would sit in the socket's buffer as megabytes per stream.
 */
export const MAX_REPLAY_EVENTS = 10_000;

export function decideResume(lastEventId: string | undefined, log: LogPosition): Resume {
  if (lastEventId === undefined || lastEventId === '') return { kind: 'fresh' };
  const parsed = parseEventId(lastEventId);
  if (parsed === undefined) return { kind: 'reset', reason: 'malformed' };
  if (parsed.epoch !== log.epoch) return { kind: 'reset', reason: 'epoch' };
  const { seq } = parsed;
  // Ahead of us: the database went back in time (restored); nothing it holds can be trusted.
  if (seq > log.latestSeq) return { kind: 'reset', reason: 'ahead' };
  if (seq < log.prunedThrough) return { kind: 'reset', reason: 'pruned' };
  if (log.latestSeq - seq > MAX_REPLAY_EVENTS) return { kind: 'reset', reason: 'behind' };
  return { kind: 'replay', seq };
}
