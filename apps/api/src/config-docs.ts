import type { VariableDoc } from '@routemcp/config-docs';
import type { ApiEnvironment } from './config.ts';

/** Every variable the example api reads, as docs/configuration.md shows it (typed by the schema's keys). */
export const apiVariables: Record<keyof ApiEnvironment, VariableDoc> = {
  API_PORT: { type: 'port', default: '`5002`', description: 'The example upstream.' },
  API_HOST: {
    type: 'host',
    default: 'unset: all interfaces',
    description: 'The Kubernetes pod sets `127.0.0.1`: only the sidecar reaches it.',
  },
  LOG_LEVEL: { type: 'pino level', default: '`info`', description: 'JSON logs.' },
};
