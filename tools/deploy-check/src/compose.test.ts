import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readYaml, workspaceRoot } from './manifests.ts';

interface Service {
  image?: string;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
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
const postgres = readYaml(join(workspaceRoot, 'docker-compose.postgres.yml')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const override = postgres.services;

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

describe('docker-compose.postgres.yml (an override: two keystore replicas on PostgreSQL)', () => {
  it('adds PostgreSQL and a second keystore replica, and changes nothing else but the keystore and the proxy', () => {
    expect(Object.keys(override).sort()).toEqual(['keystore', 'keystore-2', 'postgres', 'proxy']);
    expect(override.postgres?.image).toBe('${POSTGRES_IMAGE:-postgres:17-alpine}');
    expect(override.postgres?.ports).toBeUndefined();
    expect(override.postgres?.healthcheck).toBeDefined();
    const [volume] = (override.postgres?.volumes?.[0] ?? '').split(':');
    expect(Object.keys(postgres.volumes)).toContain(volume);
  });

  it('puts both replicas on the one database, and blanks the base file’s SQLite path (both set is a config error)', () => {
    const url = override.keystore?.environment?.KEYSTORE_DATABASE_URL;
    expect(url).toMatch(/^postgres:\/\/keystore:\$\{KEYSTORE_POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/keystore$/);
    expect(override['keystore-2']?.environment?.KEYSTORE_DATABASE_URL).toBe(url);
    expect(override.keystore?.environment?.KEYSTORE_DB).toBe('');
    expect(override['keystore-2']?.environment).not.toHaveProperty('KEYSTORE_DB');
    expect(override.postgres?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{KEYSTORE_POSTGRES_PASSWORD:\?/);
    for (const name of ['keystore', 'keystore-2'])
      expect(override[name]?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(envExample).toMatch(/^KEYSTORE_POSTGRES_PASSWORD=$/m);
  });

  it('runs the second replica from the same image and build as the first, with the same settings', () => {
    const [first, second] = [services.keystore!, override['keystore-2']!];
    expect(second.image).toBe(first.image);
    expect(second.build).toEqual(first.build);
    const { KEYSTORE_DB: _sqlite, ...shared } = first.environment ?? {};
    expect(second.environment).toEqual({ ...shared, KEYSTORE_DATABASE_URL: second.environment?.KEYSTORE_DATABASE_URL });
    expect(second.ports).toEqual(['127.0.0.1:${KEYSTORE_2_PUBLISH_PORT:-5004}:5003']);
  });

  it('gives the proxy both replicas and waits for both', () => {
    expect(override.proxy?.environment).toEqual({ KEYSTORE_URL: 'http://keystore:5003,http://keystore-2:5003' });
    expect(override.proxy?.depends_on).toEqual({ 'keystore-2': { condition: 'service_healthy' } });
  });

  it('hardens the new containers like the others', () => {
    for (const name of ['postgres', 'keystore-2']) {
      const service = override[name]!;
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toEqual(['no-new-privileges:true']);
      expect(service.tmpfs, name).toContain('/tmp');
    }
  });
});

describe('apps/keystore/Dockerfile', () => {
  const dockerfile = readFileSync(join(workspaceRoot, 'apps/keystore/Dockerfile'), 'utf8');

  it('sets no KEYSTORE_DB: every deployment would inherit it, PostgreSQL ones included', () => {
    const envLines = dockerfile.split('\n').filter((line) => /^ENV\s/.test(line));
    expect(envLines.length).toBeGreaterThan(0);
    for (const line of envLines) expect(line).not.toContain('KEYSTORE_DB');
  });

  it('links the keystore’s default SQLite folder (./data from its working directory) to the /data volume', () => {
    expect(dockerfile).toMatch(/^WORKDIR \/app\/apps\/keystore$/m);
    expect(dockerfile).toContain('fs.symlinkSync(\\"/data\\", \\"/app/apps/keystore/data\\")');
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
  });
});
