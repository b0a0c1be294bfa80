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
      keystoreUrls: [fake.url],
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
      keystoreUrls: [fake.url],
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

  it('resumes on the next replica with its last event id when one goes away, and replays without a flush', async () => {
    const a = await new FakeKeystore().listen();
    await using b = await new FakeKeystore().listen();
    const { calls, handlers } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [a.url, b.url],
      serviceToken: a.token,
      handlers,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 10,
    });
    await stream.start();
    // One database behind both: every event is in both logs, with the same ids.
    for (const fake of [a, b]) fake.emit('created', 'aa'.repeat(32));
    await vi.waitFor(() => expect(calls).toEqual(['flush hello', 'evict created aaaa']));
    await a[Symbol.asyncDispose]();
    b.emit('revoked', 'aa'.repeat(32));
    b.emit('revoked', 'bb'.repeat(32));
    await vi.waitFor(() =>
      expect(calls).toEqual(['flush hello', 'evict created aaaa', 'evict revoked aaaa', 'evict revoked bbbb']),
    );
    expect(a.streamRequests).toEqual([undefined]);
    expect(b.streamRequests).toEqual(['ep1:1']);
    expect(stream.lastEventId).toBe('ep1:3');
    await stream.close();
  });

  it('starts on the next replica when the first refuses, and comes back round to it when that one fails', async () => {
    await using a = await new FakeKeystore().listen();
    await using b = await new FakeKeystore().listen();
    a.refuseStreams = true;
    const { calls, handlers } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [a.url, b.url],
      serviceToken: a.token,
      handlers,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 10,
    });
    await stream.start();
    expect(calls).toEqual(['flush hello']);
    expect([a.streamRequests, b.streamRequests]).toEqual([[undefined], [undefined]]);
    a.refuseStreams = false;
    b.refuseStreams = true;
    b.dropStreams();
    await vi.waitFor(() => expect(a.openStreams).toBe(1));
    expect(a.streamRequests).toEqual([undefined, 'ep1:0']);
    expect(calls).toEqual(['flush hello']);
    await stream.close();
  });

  it('a replica on another database (another epoch) is a reset: everything is flushed', async () => {
    const a = await new FakeKeystore().listen();
    await using b = await new FakeKeystore().listen();
    b.epoch = 'other';
    const { calls, handlers } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [a.url, b.url],
      serviceToken: a.token,
      handlers,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 10,
    });
    await stream.start();
    await a[Symbol.asyncDispose]();
    await vi.waitFor(() => expect(calls).toEqual(['flush hello', 'flush reset']));
    expect(stream.lastEventId).toBe('other:0');
    await stream.close();
  });
});
