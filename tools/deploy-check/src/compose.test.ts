import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readYaml, workspaceRoot } from './manifests.ts';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
  read_only?: boolean;
}

// `docker compose config` needs the compose CLI; this checks the same file without it.
const compose = readYaml(join(workspaceRoot, 'docker-compose.yml')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const envExample = readFileSync(join(workspaceRoot, '.env.example'), 'utf8');

describe('docker-compose.yml', () => {
  it('runs the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'keystore', 'proxy', 'redis']);
  });

  it.each(['proxy', 'keystore', 'api'])('builds %s from its Dockerfile with an overridable base image', (name) => {
    const build = services[name]?.build;
    expect(build).toMatchObject({ context: '.', dockerfile: `apps/${name}/Dockerfile` });
    expect(build?.args?.BASE_IMAGE).toMatch(/^\$\{NODE_BASE_IMAGE:-node:24-slim\}$/);
  });

  it('publishes the proxy on 5001 and its admin port on loopback only', () => {
    expect(services.proxy?.ports).toEqual([
      '${PROXY_PUBLISH_PORT:-5001}:5001',
      '127.0.0.1:${PROXY_ADMIN_PUBLISH_PORT:-9901}:9901',
    ]);
    expect(services.api?.ports).toBeUndefined();
    expect(services.redis?.ports).toBeUndefined();
  });

  it('starts the proxy once everything it needs is healthy', () => {
    expect(services.proxy?.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      keystore: { condition: 'service_healthy' },
      api: { condition: 'service_healthy' },
    });
    expect(services.redis?.healthcheck).toBeDefined();
  });

  it('keeps the keystore database on a named volume', () => {
    const db = services.keystore?.environment?.KEYSTORE_DB ?? '';
    const [volume, mountPath] = (services.keystore?.volumes?.[0] ?? '').split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(db.startsWith(`${mountPath}/`)).toBe(true);
  });

  it('takes every token from the env file, required where the app requires it', () => {
    for (const service of Object.values(services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (name.endsWith('_TOKEN') || name.endsWith('_PASSWORD'))
          expect(value).toMatch(new RegExp(`^\\$\\{${name}[:?-]`));
      }
    }
    expect(services.proxy?.environment?.KEYSTORE_SERVICE_TOKEN).toMatch(/^\$\{KEYSTORE_SERVICE_TOKEN:\?/);
    for (const name of ['KEYSTORE_SERVICE_TOKEN', 'KEYSTORE_ADMIN_TOKEN'])
      expect(envExample).toMatch(new RegExp(`^${name}=$`, 'm'));
  });

  it('leaves the dashboard user in .env.example either whole or out (one of the two stops the keystore)', () => {
    const active = (name: string) => new RegExp(`^${name}=`, 'm').test(envExample);
    expect(active('KEYSTORE_ADMIN_EMAIL')).toBe(active('KEYSTORE_ADMIN_PASSWORD'));
    expect(envExample).toMatch(/^# KEYSTORE_ADMIN_EMAIL=/m);
    expect(envExample).toMatch(/^# KEYSTORE_ADMIN_PASSWORD=/m);
  });

  it('wires the proxy to the other services by name', () => {
    expect(services.proxy?.environment).toMatchObject({
      UPSTREAM_URL: 'http://api:5002',
      KEYSTORE_URL: 'http://keystore:5003',
      REDIS_URL: 'redis://redis:6379',
    });
  });

  it('runs every container read-only', () => {
    for (const service of Object.values(services)) expect(service.read_only).toBe(true);
  });
});
