import { describe, expect, it } from 'vitest';
import { deriveStackEnv, withFirstLogin } from './stack-env.ts';

const derive = (env: Record<string, string | undefined>) =>
  deriveStackEnv(env, { cwd: '/repo', randomToken: () => 'generated-token' });

describe('deriveStackEnv', () => {
  it('uses the BRIEF defaults, all consistent with each other', () => {
    const { env, ports, keystoreDb, redisUrl } = derive({});
    expect(ports).toEqual({ proxy: 5001, proxyAdmin: 9901, authz: 5004, api: 5002, keystore: 5003 });
    expect(env).toMatchObject({
      PROXY_PORT: '5001',
      PROXY_ADMIN_PORT: '9901',
      AUTHZ_PORT: '5004',
      API_PORT: '5002',
      KEYSTORE_PORT: '5003',
      UPSTREAM_URL: 'http://127.0.0.1:5002',
      KEYSTORE_URL: 'http://127.0.0.1:5003',
      KEYSTORE_SERVICE_TOKEN: 'generated-token',
      KEYSTORE_DB: '/repo/data/keystore.sqlite',
    });
    expect(keystoreDb).toBe('/repo/data/keystore.sqlite');
    expect(redisUrl).toBeUndefined();
    expect(env.UPSTREAM_TEST_URL).toBeUndefined();
  });

  it('makes UPSTREAM_URL follow API_PORT and KEYSTORE_URL follow KEYSTORE_PORT', () => {
    const { env } = derive({ API_PORT: '15002', KEYSTORE_PORT: '15003' });
    expect(env.UPSTREAM_URL).toBe('http://127.0.0.1:15002');
    expect(env.KEYSTORE_URL).toBe('http://127.0.0.1:15003');
  });

  it('keeps explicit URLs, token and database, resolving a relative database against the cwd', () => {
    const { env, keystoreDb } = derive({
      API_PORT: '15002',
      UPSTREAM_URL: 'http://upstream:8080',
      KEYSTORE_URL: 'http://keys:9000',
      KEYSTORE_SERVICE_TOKEN: 'mine',
      KEYSTORE_DB: 'tmp/k.sqlite',
    });
    expect(env).toMatchObject({
      UPSTREAM_URL: 'http://upstream:8080',
      KEYSTORE_URL: 'http://keys:9000',
      KEYSTORE_SERVICE_TOKEN: 'mine',
      KEYSTORE_DB: '/repo/tmp/k.sqlite',
    });
    expect(keystoreDb).toBe('/repo/tmp/k.sqlite');
  });

  it('passes every other variable through and reports REDIS_URL', () => {
    const { env, redisUrl } = derive({
      REDIS_URL: 'redis://127.0.0.1:6379',
      UPSTREAM_TEST_URL: 'http://sandbox:1',
      LOG_LEVEL: 'debug',
      PATH: '/bin',
    });
    expect(env).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', UPSTREAM_TEST_URL: 'http://sandbox:1' });
    expect(env).toMatchObject({ LOG_LEVEL: 'debug', PATH: '/bin' });
    expect(redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('runs the keystore on PostgreSQL with KEYSTORE_DATABASE_URL, giving it no SQLite file', () => {
    const url = 'postgres://keystore:secret@db:5432/keystore';
    const { env, databaseUrl } = derive({ KEYSTORE_DATABASE_URL: url });
    expect(databaseUrl).toBe(url);
    expect(env.KEYSTORE_DATABASE_URL).toBe(url);
    expect(env).not.toHaveProperty('KEYSTORE_DB');
    expect(derive({}).env).toHaveProperty('KEYSTORE_DB');
  });

  it('refuses KEYSTORE_DATABASE_URL and KEYSTORE_DB together, naming both', () => {
    expect(() => derive({ KEYSTORE_DATABASE_URL: 'postgres://db/keystore', KEYSTORE_DB: 'k.sqlite' })).toThrow(
      /KEYSTORE_DATABASE_URL and KEYSTORE_DB/,
    );
  });

  it('treats empty variables as unset', () => {
    expect(derive({ PROXY_PORT: '', KEYSTORE_SERVICE_TOKEN: '', REDIS_URL: '' })).toMatchObject({
      ports: { proxy: 5001 },
      env: { KEYSTORE_SERVICE_TOKEN: 'generated-token' },
      redisUrl: undefined,
    });
  });

  it.each(['0', '65536', 'http', '50.1', '-1'])('fails naming the variable for PROXY_ADMIN_PORT=%s', (value) => {
    expect(() => derive({ PROXY_ADMIN_PORT: value })).toThrow('PROXY_ADMIN_PORT must be a port number');
  });

  it('generates a fresh token per run', () => {
    let n = 0;
    const make = () => deriveStackEnv({}, { cwd: '/repo', randomToken: () => `token-${++n}` });
    expect(make().env.KEYSTORE_SERVICE_TOKEN).not.toBe(make().env.KEYSTORE_SERVICE_TOKEN);
  });
});

describe('withFirstLogin', () => {
  const password = () => 'generated-password';

  it('fills in admin@localhost and a generated password on first start', () => {
    const { stack, login } = withFirstLogin(derive({}), true, password);
    expect(stack.env).toMatchObject({
      KEYSTORE_ADMIN_EMAIL: 'admin@localhost',
      KEYSTORE_ADMIN_PASSWORD: 'generated-password',
    });
    expect(login).toEqual({ email: 'admin@localhost', generatedPassword: 'generated-password' });
  });

  it('keeps what the user chose and never reports their password', () => {
    const { stack, login } = withFirstLogin(
      derive({ KEYSTORE_ADMIN_EMAIL: 'me@example.com', KEYSTORE_ADMIN_PASSWORD: 'chosen' }),
      true,
      password,
    );
    expect(stack.env).toMatchObject({ KEYSTORE_ADMIN_EMAIL: 'me@example.com', KEYSTORE_ADMIN_PASSWORD: 'chosen' });
    expect(login).toEqual({ email: 'me@example.com', generatedPassword: undefined });
  });

  it('leaves later starts alone', () => {
    const derived = derive({});
    expect(withFirstLogin(derived, false, password)).toEqual({ stack: derived, login: undefined });
  });
});
