import { createNodeAllow } from './node-allow.ts';
import { required } from './required-env.ts';

/** Its own process, so the bench reads its CPU time from /proc like the authz's. */
const server = createNodeAllow();
server.listen(Number(required('BASELINE_PORT')), '127.0.0.1');
process.once('SIGTERM', () => server.close());
