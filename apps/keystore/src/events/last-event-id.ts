/** Where a reconnecting stream resumes: replay after `seq`, or reset (flush) and go live. */
export type Resume = { kind: 'fresh' } | { kind: 'replay'; seq: number } | { kind: 'reset'; reason: ResetReason };
export type ResetReason = 'malformed' | 'epoch' | 'pruned' | 'ahead' | 'behind';

const EVENT_ID = /^([0-9A-Za-z]{1,64}):(0|[1-9][0-9]{0,15})$/;

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
  const match = EVENT_ID.exec(lastEventId.trim());
  if (match === null) return { kind: 'reset', reason: 'malformed' };
  if (match[1] !== log.epoch) return { kind: 'reset', reason: 'epoch' };
  const seq = Number(match[2]);
  // Ahead of us: the database went back in time (restored); nothing it holds can be trusted.
  if (seq > log.latestSeq) return { kind: 'reset', reason: 'ahead' };
  if (seq < log.prunedThrough) return { kind: 'reset', reason: 'pruned' };
  if (log.latestSeq - seq > MAX_REPLAY_EVENTS) return { kind: 'reset', reason: 'behind' };
  return { kind: 'replay', seq };
}

export const eventId = (epoch: string, seq: number): string => `${epoch}:${seq}`;
