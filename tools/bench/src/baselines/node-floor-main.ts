import { connectFloorBucket } from './floor-bucket.ts';
import { createNodeFloor } from './node-floor.ts';
import { required } from './required-env.ts';

/** Its own process, so the bench reads its CPU time from /proc like the proxy's. REDIS_URL set: floor+evalsha. */
const redisUrl = process.env.REDIS_URL;
const bucket = redisUrl ? await connectFloorBucket(redisUrl) : null;
const floor = createNodeFloor({ upstreamUrl: required('UPSTREAM_URL'), ...(bucket ? { admit: bucket.take } : {}) });
floor.server.listen(Number(required('BASELINE_PORT')), '127.0.0.1');
process.once('SIGTERM', () => {
  floor.server.close();
  void floor.close().then(() => bucket?.close());
});
