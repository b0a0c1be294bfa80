import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hash } from '@routemcp/api-key';
import { SqliteKeyStore } from './store/sqlite/sqlite-key-store.ts';
import { spawnNode, type Spawned } from './testing/spawn.ts';

const ADMIN = 'admin-token-main-test-0001';
let dir: string;
let running: Spawned | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystore-main-'));
});

afterEach(async () => {
  if (running !== undefined && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startMain(): Promise<{ baseUrl: string; dbPath: string }> {
  const dbPath = join(dir, 'ks.sqlite');
  running = spawnNode('main.ts', [], {
    KEYSTORE_PORT: '0',
    KEYSTORE_HOST: '127.0.0.1',
    KEYSTORE_DB: dbPath,
    KEYSTORE_SERVICE_TOKEN: 'service-token-main-test-01',
    KEYSTORE_ADMIN_TOKEN: ADMIN,
  });
  const proc = running;
  const port = await vi.waitFor(
    () => {
      const line = proc
        .stdout()
        .split('\n')
        .find((l) => l.includes('"keystore listening"'));
      if (line === undefined) throw new Error(`not listening yet: ${proc.stderr()}`);
      return (JSON.parse(line) as { port: number }).port;
    },
    { timeout: 20_000, interval: 25 },
  );
  return { baseUrl: `http://127.0.0.1:${port}`, dbPath };
}

// Spawns real processes: generous timeouts for a loaded machine, no timing assertions.
describe('main', { timeout: 30_000 }, () => {
  it('keeps a key answered 201 through kill -9', async () => {
    const { baseUrl, dbPath } = await startMain();
    const res = await fetch(`${baseUrl}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: '{"environment":"live","name":"durable"}',
    });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: string; key: string } };
    running?.child.kill('SIGKILL');
    expect(await running?.exited).toBe('SIGKILL');

    const store = new SqliteKeyStore({ path: dbPath, now: Date.now() });
    try {
      expect(await store.findByHash(hash(data.key))).toMatchObject({ id: data.id, name: 'durable' });
      expect(await store.eventsAfter(0, 10)).toMatchObject([{ type: 'created', keyId: data.id }]);
    } finally {
      await store.close();
    }
  });

  it('drains on SIGTERM and exits 0, even with an event stream open', async () => {
    const { baseUrl } = await startMain();
    const stream = await fetch(`${baseUrl}/internal/v1/events`, {
      headers: { authorization: 'Bearer service-token-main-test-01' },
    });
    expect(stream.status).toBe(200);
    running?.child.kill('SIGTERM');
    expect(await running?.exited).toBe(0);
    expect(running?.stdout()).toContain('"keystore stopping"');
  });

  it('prints a config error naming the variable and exits 1', async () => {
    running = spawnNode('main.ts', [], { KEYSTORE_DB: join(dir, 'x.sqlite'), KEYSTORE_PORT: 'nope' });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toMatch(/KEYSTORE_PORT: expected an integer port/);
    expect(running.stderr()).not.toMatch(/\n\s+at /);
  });
});
