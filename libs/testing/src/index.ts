export { busyCores, type BusyCores } from './busy-cores.ts';
export { docker, imageExists } from './docker.ts';
export { DEFAULT_REDIS_IMAGE, RUN_LABEL, runLabels, startRedis, type StartedRedis } from './redis-container.ts';
export { DEFAULT_POSTGRES_IMAGE, startPostgres, type StartedPostgres } from './postgres-container.ts';
export {
  startRedisCluster,
  startRedisSentinel,
  type RedisNode,
  type StartedRedisCluster,
  type StartedRedisSentinel,
} from './redis-topologies.ts';
export { startWebSocketEcho, type WebSocketEcho } from './websocket-echo.ts';
