import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnNode, type Spawned } from '../testing/spawn.ts';
import { startWebhookReceiver } from '../testing/webhook-receiver.ts';

// Real keystore processes on one SQLite file: the outbox is what survives a kill -9.
const ADMIN = 'admin-token-webhook-restart-01';
const dir = mkdtempSync(join(tmpdir(), 'keystore-webhooks-'));
const started: Spawned[] = [];

afterEach(async () => {
  for (const proc of started.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function startMain(
  dbPath: string,
): Promise<{ proc: Spawned; admin: (path: string, json?: unknown) => Promise<Response> }> {
  const proc = spawnNode('main.ts', [], {
    KEYSTORE_PORT: '0',
    KEYSTORE_HOST: '127.0.0.1',
    KEYSTORE_DB: dbPath,
    KEYSTORE_SERVICE_TOKEN: 'service-token-webhook-restart',
    KEYSTORE_ADMIN_TOKEN: ADMIN,
    KEYSTORE_WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  started.push(proc);
  const port = await vi.waitFor(
    () => {
      const line = proc
        .stdout()
        .split('\n')
        .find((l) => l.includes('"keystore listening"'));
      if (line === undefined) throw new Error(`not listening yet: ${proc.stderr()}`);
      return (JSON.parse(line) as { port: number }).port;
    },
    { timeout: 30_000, interval: 25 },
  );
  const admin = (path: string, json?: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  return { proc, admin };
}

describe('the webhook outbox across a kill -9', () => {
  it('a key created while the receiver is down, the keystore then killed with SIGKILL, is delivered after the restart', async () => {
    // A port that nothing listens on until the restart: the receiver is down while the keystore runs.
    const probe = await startWebhookReceiver();
    const port = Number(new URL(probe.url).port);
    await probe.close();

    const dbPath = join(dir, 'keystore.sqlite');
    const first = await startMain(dbPath);
    const hook = await first.admin('/v1/webhooks', { url: `http://127.0.0.1:${port}/hooks`, events: ['key.created'] });
    expect(hook.status).toBe(201);
    const { secret } = ((await hook.json()) as { data: { secret: string } }).data;
    const created = await first.admin('/v1/keys', { environment: 'live', name: 'made before the kill' });
    expect(created.status).toBe(201);
    const { id } = ((await created.json()) as { data: { id: string } }).data;
    first.proc.child.kill('SIGKILL');
    expect(await first.proc.exited).toBe('SIGKILL');

    await using receiver = await startWebhookReceiver(port);
    const second = await startMain(dbPath);
    // At most the lease of an attempt cut by the kill (30 s), then the next retry.
    const [delivery] = await receiver.waitFor(1, 60_000);
    const payload = receiver.verify(delivery!, secret);
    expect(payload).toMatchObject({
      type: 'key.created',
      data: { id, name: 'made before the kill', actor: 'operator' },
    });
    second.proc.child.kill('SIGTERM');
    expect(await second.proc.exited).toBe(0);
    expect(receiver.received).toHaveLength(1);
  }, 120_000);
});
