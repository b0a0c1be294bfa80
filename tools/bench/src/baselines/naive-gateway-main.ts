import { createClient } from 'redis';
import type { RedisReply } from 'rate-limit-redis';
import { createNaiveGateway } from './naive-gateway.ts';
import { required } from './required-env.ts';

// Its own process, so the bench can read its CPU time from /proc like the proxy's.
const port = Number(required('BASELINE_PORT'));
const redis = createClient({ url: required('REDIS_URL') });
await redis.connect();
const app = createNaiveGateway({
  upstreamUrl: required('UPSTREAM_URL'),
  keystoreUrl: required('KEYSTORE_URL'),
  serviceToken: required('KEYSTORE_SERVICE_TOKEN'),
  sendCommand: (args) => redis.sendCommand(args) as Promise<RedisReply>,
});
const server = app.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void redis.quit();
});
