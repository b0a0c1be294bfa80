export type { Exchange } from './exchange.ts';
export { createLogger } from './logger.ts';
export { ProxyMetrics } from './metrics.ts';
export { loggablePath, Recorder, type UsageCounter } from './recorder.ts';
