import { required } from '../baselines/required-env.ts';
import { createOtlpSink } from './otlp-sink.ts';

/** Its own process, so the proxy's exports cost the bench's process nothing. */
const server = createOtlpSink();
server.listen(Number(required('BASELINE_PORT')), '127.0.0.1');
process.once('SIGTERM', () => server.close());
