/** What the primary asks a worker over the cluster IPC channel. */
export type Question = 'readiness' | 'metrics';

export interface Ask {
  type: 'routemcp:ask';
  id: number;
  question: Question;
}

export interface Answer {
  type: 'routemcp:answer';
  id: number;
  value: unknown;
}

export function isAsk(message: unknown): message is Ask {
  return (message as Ask | null)?.type === 'routemcp:ask';
}

export function isAnswer(message: unknown): message is Answer {
  return (message as Answer | null)?.type === 'routemcp:answer';
}
