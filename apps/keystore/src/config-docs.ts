import type { VariableDoc } from '@routemcp/config-docs';
import { tracingVariables } from '@routemcp/tracing';
import type { KeystoreEnvironment } from './config.ts';

/**
 * Every variable the keystore reads, as docs/configuration.md shows it;
 * typed by the schema's keys, so a new variable does not compile without a
 * line here (and config-docs.test.ts fails until `npm run docs:config`).
 */
export const keystoreVariables: Record<keyof KeystoreEnvironment, VariableDoc> = {
  KEYSTORE_PORT: {
    type: 'port',
    default: '`5003`',
    description: 'Dashboard, management API, internal API, `/healthz`, `/readyz`, `/metrics`.',
  },
  KEYSTORE_HOST: { type: 'host', default: 'unset: all interfaces', description: 'Listen address.' },
  KEYSTORE_DB: {
    type: 'path',
    default: '`./data/keystore.sqlite`',
    description: 'SQLite file (hashes only), created with its schema on first start; the CLI uses the same rule.',
  },
  KEYSTORE_DATABASE_URL: {
    type: '`postgres://…` URL',
    default: 'unset: SQLite (`KEYSTORE_DB`)',
    description:
      'PostgreSQL instead of SQLite: any number of replicas on one database. Both this and `KEYSTORE_DB` set is a config error. Never logged with its password.',
  },
  KEYSTORE_DATABASE_POOL_SIZE: {
    type: 'integer 1–200',
    default: '`10`',
    description: 'PostgreSQL connections per replica (plus one for LISTEN).',
  },
  KEYSTORE_SERVICE_TOKEN: {
    type: 'string',
    default: 'required (`npm start` generates one)',
    description: "Proxies' bearer token for `/internal/v1/*` (shorter than 16 characters logs a warning).",
  },
  KEYSTORE_ADMIN_TOKEN: {
    type: 'string',
    default: 'unset: management API only through a dashboard session',
    description: 'Operator bearer token for `/v1/keys*`.',
  },
  KEYSTORE_EVENT_RETENTION: {
    type: 'integer',
    default: '`100000`',
    description: 'Change events kept for replay; a proxy further behind gets `reset` and flushes its cache.',
  },
  KEYSTORE_ADMIN_EMAIL: {
    type: 'email',
    default: 'unset: `npm start` generates a login and prints it once',
    description: 'The first dashboard user, created at first start; set together with the password.',
  },
  KEYSTORE_ADMIN_PASSWORD: {
    type: 'string',
    default: 'unset',
    description: "That user's password (stored as an scrypt hash; later changes do not affect an existing user).",
  },
  KEYSTORE_TRUSTED_PROXIES: {
    type: 'comma-separated IPs/CIDRs',
    default: 'unset: the client is the socket peer',
    description:
      'The proxies in front (e.g. `10.0.0.0/8`). Only from one of them: `X-Forwarded-Proto` (Secure cookies) is believed and the client (audit log, login lock-out) is the right-most `X-Forwarded-For` entry that is not a trusted proxy. Replaces `KEYSTORE_TRUST_PROXY`, whose `true` is now a config error.',
  },
  KEYSTORE_SESSION_TTL_SECONDS: {
    type: 'integer 60–2592000',
    default: '`43200`',
    description: 'Absolute lifetime of a dashboard session.',
  },
  KEYSTORE_SESSION_IDLE_SECONDS: {
    type: 'integer 60–2592000',
    default: '`1800`',
    description: 'A session unused this long ends.',
  },
  LOG_LEVEL: { type: 'pino level', default: '`info`', description: 'JSON logs (ids and hints only, never a key).' },
  ...tracingVariables,
};
