import { describe, expect, it } from 'vitest';
import { describeDatabase, loadConfig, resolveDatabase, resolveDbPath, weakSecrets } from './config.ts';

const base = { KEYSTORE_SERVICE_TOKEN: 'service-token-0123456789' };

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig(base, '/srv/app')).toEqual({
      port: 5003,
      host: undefined,
      database: { engine: 'sqlite', path: '/srv/app/data/keystore.sqlite' },
      serviceToken: base.KEYSTORE_SERVICE_TOKEN,
      adminToken: undefined,
      eventRetention: 100_000,
      firstUser: undefined,
      trustedProxies: [],
      sessionTtlMs: 43_200_000,
      sessionIdleMs: 1_800_000,
      leakPolicy: { live: 'notify', test: 'revoke', graceSeconds: 3600 },
      githubKeysUrl: 'https://api.github.com/meta/public_keys/secret_scanning',
      publicUrl: 'http://localhost:5003',
      oidc: undefined,
      passwordLogin: true,
      webhookAllowPrivate: false,
      logLevel: 'info',
      tracing: null,
    });
  });

  it('reads what a leak report does per environment, and where GitHub publishes its keys', () => {
    const config = loadConfig({
      ...base,
      KEYSTORE_LEAK_ACTION_LIVE: 'expire',
      KEYSTORE_LEAK_ACTION_TEST: 'notify',
      KEYSTORE_LEAK_GRACE_SECONDS: '600',
      KEYSTORE_GITHUB_KEYS_URL: 'http://127.0.0.1:9/keys',
    });
    expect(config).toMatchObject({
      leakPolicy: { live: 'expire', test: 'notify', graceSeconds: 600 },
      githubKeysUrl: 'http://127.0.0.1:9/keys',
    });
  });

  it('reads KEYSTORE_PUBLIC_URL without its trailing slash; the default follows KEYSTORE_PORT', () => {
    expect(loadConfig({ ...base, KEYSTORE_PUBLIC_URL: 'https://keys.example.com/' }).publicUrl).toBe(
      'https://keys.example.com',
    );
    expect(loadConfig({ ...base, KEYSTORE_PUBLIC_URL: 'https://example.com/keystore' }).publicUrl).toBe(
      'https://example.com/keystore',
    );
    expect(loadConfig({ ...base, KEYSTORE_PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    for (const bad of ['keys.example.com', 'ftp://keys.example.com', 'https://keys.example.com/?a=1']) {
      expect(() => loadConfig({ ...base, KEYSTORE_PUBLIC_URL: bad })).toThrow(/^KEYSTORE_PUBLIC_URL: expected an http/);
    }
  });

  it('allows private webhook receivers only when told to, and refuses anything but true/false', () => {
    expect(loadConfig({ ...base, KEYSTORE_WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(loadConfig({ ...base, KEYSTORE_WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
    expect(() => loadConfig({ ...base, KEYSTORE_WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(
      'KEYSTORE_WEBHOOK_ALLOW_PRIVATE: expected true or false, got "yes"',
    );
  });

  it('traces to the OTLP endpoint when one is set, as routemcp-keystore unless named', () => {
    const config = loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, '/srv/app');
    expect(config.tracing).toMatchObject({ url: 'http://collector:4318/v1/traces', serviceName: 'routemcp-keystore' });
  });

  it('refuses a tracing setting it cannot honour, naming the variable', () => {
    expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /^OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http\/protobuf, http\/json \(grpc is not supported/,
    );
    expect(() => loadConfig({ ...base, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /^OTEL_TRACES_SAMPLER: expected one of always_on, .*, got "sometimes"$/,
    );
  });

  it('reads the first dashboard user and session settings', () => {
    const config = loadConfig({
      ...base,
      KEYSTORE_ADMIN_EMAIL: 'admin@example.com',
      KEYSTORE_ADMIN_PASSWORD: 'a long password',
      KEYSTORE_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1,2001:db8::/32',
      KEYSTORE_SESSION_TTL_SECONDS: '3600',
      KEYSTORE_SESSION_IDLE_SECONDS: '600',
    });
    expect(config).toMatchObject({
      firstUser: { email: 'admin@example.com', password: 'a long password' },
      trustedProxies: ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32'],
      sessionTtlMs: 3_600_000,
      sessionIdleMs: 600_000,
    });
  });

  it('refuses KEYSTORE_TRUST_PROXY=true, naming KEYSTORE_TRUSTED_PROXIES, and a bad proxy list', () => {
    expect(() => loadConfig({ ...base, KEYSTORE_TRUST_PROXY: 'true' })).toThrow(
      /^KEYSTORE_TRUST_PROXY: expected it unset; it is replaced by KEYSTORE_TRUSTED_PROXIES .*, got "true"$/,
    );
    expect(loadConfig({ ...base, KEYSTORE_TRUST_PROXY: 'false' }).trustedProxies).toEqual([]);
    expect(() => loadConfig({ ...base, KEYSTORE_TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal' })).toThrow(
      'KEYSTORE_TRUSTED_PROXIES: expected comma-separated IP addresses or CIDRs of the proxies in front (e.g. 10.0.0.0/8), or unset, got "10.0.0.0/8,proxy.internal"',
    );
  });

  it('names the admin login variable that is missing or bad, never echoing a password', () => {
    expect(() => loadConfig({ ...base, KEYSTORE_ADMIN_EMAIL: 'a@b.co' })).toThrow(/^KEYSTORE_ADMIN_PASSWORD: /);
    expect(() => loadConfig({ ...base, KEYSTORE_ADMIN_PASSWORD: 'long enough' })).toThrow(/^KEYSTORE_ADMIN_EMAIL: /);
    expect(() => loadConfig({ ...base, KEYSTORE_ADMIN_EMAIL: 'nope', KEYSTORE_ADMIN_PASSWORD: 'long enough' })).toThrow(
      'KEYSTORE_ADMIN_EMAIL: expected an email address, or unset, got "nope"',
    );
    expect(() =>
      loadConfig({ ...base, KEYSTORE_ADMIN_EMAIL: 'a@b.co', KEYSTORE_ADMIN_PASSWORD: 'x'.repeat(1025) }),
    ).toThrow(/^KEYSTORE_ADMIN_PASSWORD: expected .*, got an invalid value$/);
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        ...base,
        KEYSTORE_PORT: '7000',
        KEYSTORE_HOST: '127.0.0.1',
        KEYSTORE_DB: 'var/ks.db',
        KEYSTORE_ADMIN_TOKEN: 'admin-token-0123456789',
        KEYSTORE_EVENT_RETENTION: '50',
        LOG_LEVEL: 'debug',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      port: 7000,
      host: '127.0.0.1',
      database: { engine: 'sqlite', path: '/srv/var/ks.db' },
      adminToken: 'admin-token-0123456789',
      eventRetention: 50,
      logLevel: 'debug',
    });
  });

  it.each([
    [{}, /^KEYSTORE_SERVICE_TOKEN: expected .*required.*unset/],
    [{ ...base, KEYSTORE_PORT: 'abc' }, /^KEYSTORE_PORT: expected an integer port 0\.\.65535, got "abc"/],
    [{ ...base, KEYSTORE_PORT: '70000' }, /^KEYSTORE_PORT: /],
    [{ ...base, KEYSTORE_EVENT_RETENTION: '0' }, /^KEYSTORE_EVENT_RETENTION: /],
    [{ ...base, LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of /],
    [
      { ...base, KEYSTORE_LEAK_ACTION_LIVE: 'delete' },
      'KEYSTORE_LEAK_ACTION_LIVE: expected one of notify, expire, revoke, got "delete"',
    ],
    [{ ...base, KEYSTORE_LEAK_ACTION_TEST: 'Revoke' }, /^KEYSTORE_LEAK_ACTION_TEST: expected one of /],
    [{ ...base, KEYSTORE_LEAK_GRACE_SECONDS: '-1' }, /^KEYSTORE_LEAK_GRACE_SECONDS: expected an integer/],
    [{ ...base, KEYSTORE_GITHUB_KEYS_URL: 'ftp://x/keys' }, /^KEYSTORE_GITHUB_KEYS_URL: expected an http/],
  ])('names the bad variable (%o)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a secret in its error', () => {
    const secret = 'x'.repeat(1025);
    expect(() => loadConfig({ ...base, KEYSTORE_ADMIN_EMAIL: 'a@b.co', KEYSTORE_ADMIN_PASSWORD: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it('accepts a local login such as admin@localhost', () => {
    const config = loadConfig({
      ...base,
      KEYSTORE_ADMIN_EMAIL: 'admin@localhost',
      KEYSTORE_ADMIN_PASSWORD: 'long enough',
    });
    expect(config.firstUser?.email).toBe('admin@localhost');
  });

  it('accepts short secrets but lists them for a warning', () => {
    const config = loadConfig({
      ...base,
      KEYSTORE_ADMIN_TOKEN: 'admin',
      KEYSTORE_ADMIN_EMAIL: 'a@b.co',
      KEYSTORE_ADMIN_PASSWORD: 'pw',
    });
    expect(config.adminToken).toBe('admin');
    expect(weakSecrets(config)).toEqual(['KEYSTORE_ADMIN_TOKEN', 'KEYSTORE_ADMIN_PASSWORD']);
    expect(weakSecrets(loadConfig(base))).toEqual([]);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ...base, KEYSTORE_ADMIN_TOKEN: '', KEYSTORE_HOST: ' ' }).adminToken).toBeUndefined();
  });

  it('resolves the database path the CLI uses the same way', () => {
    expect(resolveDbPath({}, '/repo')).toBe('/repo/data/keystore.sqlite');
    expect(resolveDbPath({ KEYSTORE_DB: '/abs/k.db' }, '/repo')).toBe('/abs/k.db');
    expect(resolveDbPath({ KEYSTORE_DB: ':memory:' }, '/repo')).toBe(':memory:');
  });

  it.each(['postgres', 'postgresql'])('selects PostgreSQL from a %s:// KEYSTORE_DATABASE_URL', (scheme) => {
    const url = `${scheme}://keystore:s3cret@db.internal:5432/keys`;
    expect(loadConfig({ ...base, KEYSTORE_DATABASE_URL: url }).database).toEqual({
      engine: 'postgres',
      url,
      poolSize: 10,
    });
    expect(resolveDatabase({ KEYSTORE_DATABASE_URL: url, KEYSTORE_DATABASE_POOL_SIZE: '4' }, '/repo')).toMatchObject({
      poolSize: 4,
    });
    expect(describeDatabase({ engine: 'postgres', url, poolSize: 1 })).toBe(`${scheme}://db.internal:5432/keys`);
  });

  it('refuses KEYSTORE_DB and KEYSTORE_DATABASE_URL together, naming both', () => {
    const env = { ...base, KEYSTORE_DB: 'data/ks.sqlite', KEYSTORE_DATABASE_URL: 'postgres://u:p@h/db' };
    expect(() => loadConfig(env)).toThrow(/KEYSTORE_DATABASE_URL and KEYSTORE_DB/);
    // The CLI resolves through the same function, so it refuses the same way.
    expect(() => resolveDatabase(env)).toThrow(/KEYSTORE_DATABASE_URL and KEYSTORE_DB/);
  });

  it('refuses a database URL of another scheme without echoing it', () => {
    const error = (() => {
      try {
        loadConfig({ ...base, KEYSTORE_DATABASE_URL: 'mysql://root:hunter2@h/db' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toMatch(/^KEYSTORE_DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(error?.message).not.toContain('hunter2');
  });
});
