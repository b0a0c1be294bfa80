import { describe, expect, it } from 'vitest';
import { loadConfig, resolveDbPath } from './config.ts';

const base = { KEYSTORE_SERVICE_TOKEN: 'service-token-0123456789' };

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig(base, '/srv/app')).toEqual({
      port: 5003,
      host: undefined,
      dbPath: '/srv/app/data/keystore.sqlite',
      serviceToken: base.KEYSTORE_SERVICE_TOKEN,
      adminToken: undefined,
      eventRetention: 100_000,
      logLevel: 'info',
    });
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
      dbPath: '/srv/var/ks.db',
      adminToken: 'admin-token-0123456789',
      eventRetention: 50,
      logLevel: 'debug',
    });
  });

  it.each([
    [{}, /^KEYSTORE_SERVICE_TOKEN: expected .*at least 16.*unset/],
    [{ ...base, KEYSTORE_PORT: 'abc' }, /^KEYSTORE_PORT: expected an integer port 0\.\.65535, got "abc"/],
    [{ ...base, KEYSTORE_PORT: '70000' }, /^KEYSTORE_PORT: /],
    [{ ...base, KEYSTORE_ADMIN_TOKEN: 'short' }, /^KEYSTORE_ADMIN_TOKEN: expected .*16 characters/],
    [{ ...base, KEYSTORE_EVENT_RETENTION: '0' }, /^KEYSTORE_EVENT_RETENTION: /],
    [{ ...base, LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of /],
  ])('names the bad variable (%o)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a secret in its error', () => {
    expect(() => loadConfig({ ...base, KEYSTORE_ADMIN_TOKEN: 'tiny-secret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('tiny-secret') }),
    );
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ...base, KEYSTORE_ADMIN_TOKEN: '', KEYSTORE_HOST: ' ' }).adminToken).toBeUndefined();
  });

  it('resolves the database path the CLI uses the same way', () => {
    expect(resolveDbPath({}, '/repo')).toBe('/repo/data/keystore.sqlite');
    expect(resolveDbPath({ KEYSTORE_DB: '/abs/k.db' }, '/repo')).toBe('/abs/k.db');
    expect(resolveDbPath({ KEYSTORE_DB: ':memory:' }, '/repo')).toBe(':memory:');
  });
});
