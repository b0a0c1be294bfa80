export { answerPrimary } from './answer-primary.ts';
export { runPrimary } from './primary.ts';
