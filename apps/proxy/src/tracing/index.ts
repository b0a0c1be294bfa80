export { ENTRANCE, ExchangeSpans, KEY_ID, REFUSAL_CODE } from './exchange-spans.ts';
export { TracedUpstream } from './traced-upstream.ts';
export { TracingRecorder } from './tracing-recorder.ts';
