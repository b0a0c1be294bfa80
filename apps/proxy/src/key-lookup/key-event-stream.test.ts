import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KeyEventStream, type KeyEventHandlers } from './key-event-stream.ts';
import { FakeKeystore } from '../testing/fake-keystore.ts';
import { until } from '../testing/until.ts';

/** The handlers' evict and flush calls in order, and the hellos received; `changes` emits `change` after each. */
function recorder() {
  const calls: string[] = [];
  let helloCount = 0;
  const changes = new EventEmitter();
  const record = (call: string) => {
    calls.push(call);
    changes.emit('change');
  };
  const handlers: KeyEventHandlers = {
    evict: (hash, type) => record(`evict ${type} ${hash.slice(0, 4)}`),
    flush: (reason) => record(`flush ${reason}`),
    connection: () => undefined,
    received: (type) => {
      if (type === 'hello') helloCount++;
      changes.emit('change');
    },
  };
  // `start()` also resolves after startTimeoutMs without a hello: a test that needs the stream waits for this.
  const connected = () => until(changes, () => calls.includes('flush hello'), 'connected (hello applied)');
  const seen = (count: number) => until(changes, () => calls.length >= count, `${count} handler calls`);
  const hellos = (count: number) => until(changes, () => helloCount >= count, `${count} hellos received`);
  return { calls, handlers, connected, seen, hellos };
}

describe('KeyEventStream', () => {
  it('treats a silent stream as dead and reconnects with its last id', async () => {
    await using fake = await new FakeKeystore().listen();
    const { handlers, connected } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [fake.url],
      serviceToken: fake.token,
      handlers,
      logger: pino({ level: 'silent' }),
      silenceMs: 250,
      backoffMinMs: 10,
    });
    await stream.start();
    // The silence timer also bounds connecting, so on a busy machine it may end a connection before its
    // hello is read (that one reconnects without an id). What is asserted is the reconnect after the hello.
    await connected();
    const helloOn = fake.streamRequests.length;
    await until(fake.changes, () => fake.streamRequests.length > helloOn, 'reconnected after the silence');
    expect(fake.streamRequests[helloOn]).toBe('ep1:0');
    await stream.close();
  });

  it('flushes everything on a key event it cannot read', async () => {
    await using fake = await new FakeKeystore().listen();
    const { calls, handlers, connected, seen } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [fake.url],
      serviceToken: fake.token,
      handlers,
      logger: pino({ level: 'silent' }),
    });
    await stream.start();
    await connected();
    fake.emit('revoked', 'ab'.repeat(32));
    fake.emit('revoked', 'not-a-hash');
    await seen(3);
    expect(calls).toEqual(['flush hello', 'evict revoked abab', 'flush malformed']);
    expect(stream.lastEventId).toBe('ep1:2');
    await stream.close();
  });

  it('resumes on the next replica with its last event id when one goes away, and replays without a flush', async () => {
    const a = await new FakeKeystore().listen();
    await using b = await new FakeKeystore().listen();
    const { calls, handlers, connected, seen } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [a.url, b.url],
      serviceToken: a.token,
      handlers,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 10,
    });
    await stream.start();
    await connected();
    // One database behind both: every event is in both logs, with the same ids.
    for (const fake of [a, b]) fake.emit('created', 'aa'.repeat(32));
    await seen(2);
    expect(calls).toEqual(['flush hello', 'evict created aaaa']);
    await a[Symbol.asyncDispose]();
    b.emit('revoked', 'aa'.repeat(32));
    b.emit('revoked', 'bb'.repeat(32));
    await seen(4);
    expect(calls).toEqual(['flush hello', 'evict created aaaa', 'evict revoked aaaa', 'evict revoked bbbb']);
    expect(a.streamRequests).toEqual([undefined]);
    expect(b.streamRequests).toEqual(['ep1:1']);
    expect(stream.lastEventId).toBe('ep1:3');
    await stream.close();
  });

  it('starts on the next replica when the first refuses, and comes back round to it when that one fails', async () => {
    await using a = await new FakeKeystore().listen();
    await using b = await new FakeKeystore().listen();
    a.refuseStreams = true;
    const { calls, handlers, connected, hellos } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [a.url, b.url],
      serviceToken: a.token,
      handlers,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 10,
    });
    await stream.start();
    await connected();
    expect(calls).toEqual(['flush hello']);
    expect([a.streamRequests, b.streamRequests]).toEqual([[undefined], [undefined]]);
    a.refuseStreams = false;
    b.refuseStreams = true;
    b.dropStreams();
    await hellos(2);
    expect(a.openStreams).toBe(1);
    expect(a.streamRequests).toEqual([undefined, 'ep1:0']);
    expect(calls).toEqual(['flush hello']);
    await stream.close();
  });

  it('a replica on another database (another epoch) is a reset: everything is flushed', async () => {
    const a = await new FakeKeystore().listen();
    await using b = await new FakeKeystore().listen();
    b.epoch = 'other';
    const { calls, handlers, connected, seen } = recorder();
    const stream = new KeyEventStream({
      keystoreUrls: [a.url, b.url],
      serviceToken: a.token,
      handlers,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 10,
    });
    await stream.start();
    await connected();
    await a[Symbol.asyncDispose]();
    await seen(2);
    expect(calls).toEqual(['flush hello', 'flush reset']);
    expect(stream.lastEventId).toBe('other:0');
    await stream.close();
  });
});
