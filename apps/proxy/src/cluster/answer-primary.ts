import type { Answer, Question } from './messages.ts';
import { isAsk } from './messages.ts';

export type Answers = Record<Question, () => unknown>;

/** In a cluster worker: answers the primary's questions (readiness, metrics) about this process. */
export function answerPrimary(answers: Answers): void {
  const answer = async (id: number, question: Question): Promise<void> => {
    let value: unknown;
    try {
      value = await answers[question]();
    } catch (err) {
      value = { error: err instanceof Error ? err.message : String(err) };
    }
    const reply: Answer = { type: 'routemcp:answer', id, value };
    // The primary may be gone (it is stopping us): nothing to answer then.
    if (process.connected) process.send?.(reply);
  };
  process.on('message', (message: unknown) => {
    if (isAsk(message)) void answer(message.id, message.question);
  });
}
