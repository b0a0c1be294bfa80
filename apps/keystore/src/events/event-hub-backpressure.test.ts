import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KeyService } from '../keys/key-service.ts';
import { SqliteStorage } from '../store/sqlite/sqlite-storage.ts';
import { fakeClock } from '../testing/fake-clock.ts';
import { EventHub } from './event-hub.ts';

/** A response whose client never reads: everything written stays buffered. */
function stalledResponse() {
  const res = Object.assign(new EventEmitter(), {
    destroyed: false,
    writableLength: 0,
    writeHead: () => res,
    write: (chunk: string) => {
      res.writableLength += chunk.length;
      return false;
    },
    end: () => undefined,
    destroy: () => {
      res.destroyed = true;
      res.emit('close');
    },
  });
  return res;
}

const req = { socket: { setTimeout: () => undefined, setNoDelay: () => undefined } } as unknown as IncomingMessage;

describe('EventHub back-pressure', () => {
  it('drops a stream whose client stopped reading, instead of buffering without bound', async () => {
    const clock = fakeClock();
    const storage = new SqliteStorage({ path: ':memory:', now: clock.now() });
    const store = storage.keys;
    const hub = new EventHub({ store, logger: pino({ level: 'silent' }), maxBufferedBytes: 2000 });
    const keys = new KeyService({ store, clock });
    const res = stalledResponse();
    await hub.open(req, res as unknown as ServerResponse, undefined);
    expect(hub.streamCount).toBe(1);

    for (let i = 0; i < 20 && !res.destroyed; i++) {
      await keys.create({ environment: 'live' }, { createAccount: false });
      await hub.pump();
    }

    expect(res.destroyed).toBe(true);
    expect(hub.streamCount).toBe(0);
    await storage.close();
  });
});
