import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { renderBanner, type BannerInput } from './banner.ts';

const base: BannerInput = {
  ports: { proxy: 5001, proxyAdmin: 9901, authz: 5004, api: 5002, keystore: 5003 },
  redisUrl: undefined,
  keystoreDb: '/repo/data/keystore.sqlite',
  customDb: false,
  firstKey: undefined,
  firstStart: false,
  login: undefined,
  nodeVersion: 'v24.0.0',
};

describe('renderBanner', () => {
  it('says where everything is', () => {
    const text = renderBanner(base);
    expect(text).toContain('http://localhost:5001');
    expect(text).toContain('http://localhost:5002');
    expect(text).toContain('http://localhost:5003');
    expect(text).toContain('http://localhost:9901/metrics');
    expect(text).toContain('/repo/data/keystore.sqlite');
    expect(text).toContain('in-memory');
  });

  it('on PostgreSQL names the database with its password redacted and says how to make the first key', () => {
    const text = renderBanner({ ...base, databaseUrl: 'postgres://keystore:s3cret@db:5432/keystore' });
    expect(text).toContain('PostgreSQL at postgres://keystore:***@db:5432/keystore');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('/repo/data/keystore.sqlite');
    expect(text).toContain('npm run keys -- create --env test   (with the same KEYSTORE_DATABASE_URL set)');
    expect(text).toContain('KEYSTORE_ADMIN_EMAIL and KEYSTORE_ADMIN_PASSWORD');
  });

  it('on first start shows the key once and the docs curl ready to paste', () => {
    const { key } = makeTestKey('test');
    const text = renderBanner({ ...base, firstStart: true, firstKey: key });
    expect(text).toContain(
      `curl "http://localhost:5001/api/v1/contact?provider=hubspot" -H "Authorization: Bearer ${key}"`,
    );
    expect(text.split(key)).toHaveLength(3);
  });

  it('follows a non-default proxy port in the curl', () => {
    const { key } = makeTestKey('test');
    expect(renderBanner({ ...base, ports: { ...base.ports, proxy: 15001 }, firstKey: key })).toContain(
      'curl "http://localhost:15001/api/v1/contact?provider=hubspot"',
    );
  });

  it('on later starts says how to make another key', () => {
    const text = renderBanner(base);
    expect(text).toContain('npm run keys -- create --env test');
    expect(text).not.toMatch(/sk_test_[0-9A-Za-z]/);
  });

  it('points the keys command at a custom database', () => {
    expect(renderBanner({ ...base, customDb: true, keystoreDb: '/tmp/k.sqlite' })).toContain(
      'KEYSTORE_DB=/tmp/k.sqlite npm run keys -- create --env test',
    );
  });

  it('shows a generated dashboard password, never a chosen one', () => {
    const generated = renderBanner({
      ...base,
      firstStart: true,
      login: { email: 'admin@localhost', generatedPassword: 'pw-generated-here' },
    });
    expect(generated).toContain('admin@localhost');
    expect(generated).toContain('pw-generated-here');
    const chosen = renderBanner({
      ...base,
      firstStart: true,
      login: { email: 'me@x.test', generatedPassword: undefined },
    });
    expect(chosen).toContain('KEYSTORE_ADMIN_PASSWORD');
  });

  it('names a Redis Cluster or Sentinel with passwords redacted, not "in-memory"', () => {
    const cluster = renderBanner({ ...base, redisCluster: 'redis://:pw@10.0.0.1:7000,redis://10.0.0.2:7000' });
    expect(cluster).toContain('Redis Cluster at redis://:***@10.0.0.1:7000, redis://10.0.0.2:7000');
    const sentinel = renderBanner({ ...base, redisSentinel: { urls: 'redis://s1:26379', master: 'mymaster' } });
    expect(sentinel).toContain('Redis Sentinel at redis://s1:26379, master mymaster');
    for (const text of [cluster, sentinel]) {
      expect(text).not.toContain('in-memory');
      expect(text).not.toContain(':pw@');
    }
  });

  it('names Redis with its password redacted', () => {
    const text = renderBanner({ ...base, redisUrl: 'redis://default:s3cret@cache:6379' });
    expect(text).toContain('Redis at redis://default:***@cache:6379');
    expect(text).not.toContain('s3cret');
  });

  it('says what to do when the first key could not be read', () => {
    expect(renderBanner({ ...base, firstStart: true })).toContain('could not be read');
  });
});
