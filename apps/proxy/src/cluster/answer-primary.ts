import type { Answer, Question } from './messages.ts';
import { isAsk } from './messages.ts';

export type Answers = Record<Question, () => unknown>;

/** In a cluster worker: answers the primary's questions (readiness, metrics) about this process. */
export function answerPrimary(answers: Answers): void {
  process.on('message', (message: unknown) => {
    if (!isAsk(message)) return;
    void Promise.resolve()
      .then(() => answers[message.question]())
      .then(
        (value) => value,
        (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
      )
      .then((value) => {
        const answer: Answer = { type: 'routemcp:answer', id: message.id, value };
        // The primary may be gone (it is stopping us): nothing to answer then.
        if (process.connected) process.send?.(answer);
      });
  });
}
