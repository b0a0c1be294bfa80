import { Redis } from 'ioredis';
import { createFastifyGateway } from './fastify-gateway.ts';
import { required } from './required-env.ts';

// Its own process, so the bench can read its CPU time from /proc like the proxy's.
// connectTimeout and maxRetriesPerRequest as @fastify/rate-limit's README recommends.
const redis = new Redis(required('REDIS_URL'), { connectTimeout: 500, maxRetriesPerRequest: 1 });
const app = await createFastifyGateway({
  upstreamUrl: required('UPSTREAM_URL'),
  keystoreUrl: required('KEYSTORE_URL'),
  serviceToken: required('KEYSTORE_SERVICE_TOKEN'),
  redis,
});
await app.listen({ port: Number(required('BASELINE_PORT')), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => redis.quit()));
