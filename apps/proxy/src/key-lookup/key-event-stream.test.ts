import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { KeyEventStream, type KeyEventHandlers } from './key-event-stream.ts';
import { FakeKeystore } from '../testing/fake-keystore.ts';

function recorder() {
  const calls: string[] = [];
  const handlers: KeyEventHandlers = {
    evict: (hash, type) => calls.push(`evict ${type} ${hash.slice(0, 4)}`),
    flush: (reason) => calls.push(`flush ${reason}`),
    connection: () => undefined,
    received: () => undefined,
  };
  return { calls, handlers };
}

describe('KeyEventStream', () => {
  it('treats a silent stream as dead and reconnects with its last id', async () => {
    await using fake = await new FakeKeystore().listen();
    const { handlers } = recorder();
    const stream = new KeyEventStream({
      keystoreUrl: fake.url,
      serviceToken: fake.token,
      handlers,
      logger: pino({ level: 'silent' }),
      silenceMs: 100,
      backoffMinMs: 10,
    });
    await stream.start();
    await vi.waitFor(() => expect(fake.streamRequests.length).toBeGreaterThanOrEqual(2));
    expect(fake.streamRequests[1]).toBe('ep1:0');
    await stream.close();
  });

  it('flushes everything on a key event it cannot read', async () => {
    await using fake = await new FakeKeystore().listen();
    const { calls, handlers } = recorder();
    const stream = new KeyEventStream({
      keystoreUrl: fake.url,
      serviceToken: fake.token,
      handlers,
      logger: pino({ level: 'silent' }),
    });
    await stream.start();
    fake.emit('revoked', 'ab'.repeat(32));
    fake.emit('revoked', 'not-a-hash');
    await vi.waitFor(() => expect(calls).toEqual(['flush hello', 'evict revoked abab', 'flush malformed']));
    expect(stream.lastEventId).toBe('ep1:2');
    await stream.close();
  });
});
