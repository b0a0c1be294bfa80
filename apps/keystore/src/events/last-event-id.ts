/** Where a reconnecting stream resumes: replay after `seq`, or reset (flush) and go live. */
export type Resume = { kind: 'fresh' } | { kind: 'replay'; seq: number } | { kind: 'reset'; reason: ResetReason };
export type ResetReason = 'malformed' | 'epoch' | 'pruned' | 'ahead';

const EVENT_ID = /^([0-9A-Za-z]{1,64}):(0|[1-9][0-9]{0,15})$/;

export interface LogPosition {
  epoch: string;
  latestSeq: number;
  /** Highest seq deleted by retention. */
  prunedThrough: number;
}

export function decideResume(lastEventId: string | undefined, log: LogPosition): Resume {
  if (lastEventId === undefined || lastEventId === '') return { kind: 'fresh' };
  const match = EVENT_ID.exec(lastEventId.trim());
  if (match === null) return { kind: 'reset', reason: 'malformed' };
  if (match[1] !== log.epoch) return { kind: 'reset', reason: 'epoch' };
  const seq = Number(match[2]);
  // Ahead of us: the database went back in time (restored); nothing it holds can be trusted.
  if (seq > log.latestSeq) return { kind: 'reset', reason: 'ahead' };
  if (seq < log.prunedThrough) return { kind: 'reset', reason: 'pruned' };
  return { kind: 'replay', seq };
}

export const eventId = (epoch: string, seq: number): string => `${epoch}:${seq}`;
