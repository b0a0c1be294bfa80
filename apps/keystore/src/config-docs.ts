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
  KEYSTORE_GITHUB_KEYS_URL: {
    type: 'URL',
    default: '`https://api.github.com/meta/public_keys/secret_scanning`',
    description:
      "GitHub's secret-scanning signing keys, for `POST /v1/leaks/github`: cached 1 h, fetched again on an unknown key id (at most once a minute); the last set stays in use while a fetch fails or is refused. See [leaks](leaks.md).",
  },
  KEYSTORE_LEAK_ACTION_TEST: {
    type: '`notify`, `expire` or `revoke`',
    default: '`revoke`',
    description:
      'What a leak report does to a test key, besides flagging it (`leak` on the key, a **Leaked** badge, an audit entry).',
  },
  KEYSTORE_LEAK_ACTION_LIVE: {
    type: '`notify`, `expire` or `revoke`',
    default: '`notify`',
    description: 'The same for a live key: `notify` only flags it, `expire` ends it after the grace period.',
  },
  KEYSTORE_LEAK_GRACE_SECONDS: {
    type: 'integer 0–604800',
    default: '`3600`',
    description: "How long `expire` leaves a leaked key working (never past its own expiry), as a roll's grace period.",
  },
  KEYSTORE_PUBLIC_URL: {
    type: 'URL',
    default: '`http://localhost:<KEYSTORE_PORT>`',
    description:
      'The dashboard as its users reach it (e.g. `https://keys.example.com`): invitation links are `<KEYSTORE_PUBLIC_URL>/invite/<token>`. No mail is sent; the inviter passes the link on. Set it on purpose with single sign-on: the redirect URI is `<it>/login/oidc/callback`.',
  },
  KEYSTORE_OIDC_ISSUER: {
    type: 'URL',
    default: 'unset: no single sign-on',
    description:
      "The OpenID Provider's issuer (discovery at `<it>/.well-known/openid-configuration`, lazily and retried: the keystore starts while the provider is down). `https://`; `http://` only on a loopback address. Set with the client id and secret.",
  },
  KEYSTORE_OIDC_CLIENT_ID: { type: 'string', default: 'unset', description: 'The client registered at the provider.' },
  KEYSTORE_OIDC_CLIENT_SECRET: {
    type: 'string',
    default: 'unset',
    description: "That client's secret (never logged); also keys the encrypted cookie that carries a login's state.",
  },
  KEYSTORE_OIDC_DEFAULT_ROLE: {
    type: '`owner`, `admin`, `developer` or `viewer`',
    default: '`viewer`',
    description: "The role of a member created by their first SSO login (from the provider's verified `email`).",
  },
  KEYSTORE_OIDC_ALLOWED_DOMAINS: {
    type: 'comma-separated domains',
    default: 'unset: any verified email',
    description: 'Only these email domains may log in through SSO (e.g. `example.com`).',
  },
  KEYSTORE_PASSWORD_LOGIN: {
    type: '`on` or `off`',
    default: '`on`',
    description:
      'Off: the dashboard takes only SSO logins (`POST /login` is refused), so a password cannot get around the provider. Requires SSO; `KEYSTORE_ADMIN_TOKEN` still reaches the API.',
  },
  KEYSTORE_WEBHOOK_ALLOW_PRIVATE: {
    type: '`true` / `false`',
    default: '`false`: such URLs are refused',
    description:
      'Lets webhook endpoints be on loopback, private (RFC 1918), link-local or unique-local addresses, by literal or by a name resolving there; checked when an endpoint is saved and on every delivery. For local stacks and tests.',
  },
  LOG_LEVEL: { type: 'pino level', default: '`info`', description: 'JSON logs (ids and hints only, never a key).' },
  ...tracingVariables,
};
