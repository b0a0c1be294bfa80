import { describe, expect, it, vi } from 'vitest';
import { makeTestKey } from '@routemcp/api-key/testing';
import { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.ts';
import { SERVICE_TOKEN, startKeystore, type Harness } from '../testing/keystore-harness.ts';
import { connectSse, type SseMessage } from '../testing/sse-client.ts';
import { NO_POLICIES } from '../keys/key-record.ts';

const AUTH = { authorization: `Bearer ${SERVICE_TOKEN}` };
const isKey = (m: SseMessage) => m.event === 'key';

async function createKey(ks: Harness): Promise<{ id: string }> {
  const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'live' } });
  return ((await res.json()) as { data: { id: string } }).data;
}

describe('GET /internal/v1/events', () => {
  it('opens with hello carrying the epoch and newest seq', async () => {
    await using ks = await startKeystore();
    await createKey(ks);
    const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH);
    try {
      expect(sse.status).toBe(200);
      const hello = await sse.next();
      expect(hello).toEqual({
        id: `${ks.store.epoch}:1`,
        event: 'hello',
        data: JSON.stringify({ epoch: ks.store.epoch, seq: 1 }),
      });
    } finally {
      sse.close();
    }
  });

  it('pushes a change made through the API', async () => {
    await using ks = await startKeystore({ pollIntervalMs: 60_000 });
    const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH);
    try {
      await sse.next((m) => m.event === 'hello');
      const { id } = await createKey(ks);
      await ks.admin(`/v1/keys/${id}/revoke`, { method: 'POST' });
      const created = await sse.next(isKey);
      const revoked = await sse.next(isKey);
      const key = await ks.store.getKey(id);
      expect(created.id).toBe(`${ks.store.epoch}:1`);
      expect(JSON.parse(created.data)).toEqual({
        type: 'created',
        keyId: id,
        keyHash: key?.hash,
        at: new Date(ks.clock.now()).toISOString(),
      });
      expect(revoked.id).toBe(`${ks.store.epoch}:2`);
      expect(JSON.parse(revoked.data)).toMatchObject({ type: 'revoked', keyId: id });
    } finally {
      sse.close();
    }
  });

  it.each([
    ['the Last-Event-ID header', (ks: Harness) => [`${ks.baseUrl}/internal/v1/events`, `${ks.store.epoch}:1`] as const],
    [
      'the lastEventId query',
      (ks: Harness) => [`${ks.baseUrl}/internal/v1/events?lastEventId=${ks.store.epoch}:1`, undefined] as const,
    ],
  ])('replays what a reconnecting client missed, from %s', async (_name, target) => {
    await using ks = await startKeystore();
    const a = await createKey(ks);
    await ks.admin(`/v1/keys/${a.id}/revoke`, { method: 'POST' });
    const b = await createKey(ks);
    const [url, lastEventId] = target(ks);
    const sse = await connectSse(url, lastEventId === undefined ? AUTH : { ...AUTH, 'last-event-id': lastEventId });
    try {
      expect((await sse.next()).event).toBe('hello');
      const replayed = [await sse.next(), await sse.next()];
      expect(replayed.map((m) => [m.id, JSON.parse(m.data).type, JSON.parse(m.data).keyId])).toEqual([
        [`${ks.store.epoch}:2`, 'revoked', a.id],
        [`${ks.store.epoch}:3`, 'created', b.id],
      ]);
      const c = await createKey(ks);
      const live = await sse.next(isKey);
      expect([live.id, JSON.parse(live.data).keyId]).toEqual([`${ks.store.epoch}:4`, c.id]);
      expect(sse.received.some((m) => m.event === 'reset')).toBe(false);
    } finally {
      sse.close();
    }
  });

  it('resets a client from another epoch, or one behind the retained log', async () => {
    await using ks = await startKeystore();
    for (let i = 0; i < 4; i++) await createKey(ks);
    await ks.store.pruneEvents(2);
    for (const lastEventId of ['0therEpoch:3', `${ks.store.epoch}:1`, `${ks.store.epoch}:99`, 'nonsense']) {
      const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, { ...AUTH, 'last-event-id': lastEventId });
      try {
        expect((await sse.next()).event).toBe('hello');
        const reset = await sse.next();
        expect(reset.event).toBe('reset');
        expect(reset.id).toBeUndefined();
        const later = await createKey(ks);
        // After a reset the stream goes live: nothing old is replayed.
        const next = await sse.next(isKey);
        expect(JSON.parse(next.data).keyId).toBe(later.id);
      } finally {
        sse.close();
      }
    }
    const ok = await connectSse(`${ks.baseUrl}/internal/v1/events`, {
      ...AUTH,
      'last-event-id': `${ks.store.epoch}:2`,
    });
    try {
      await ok.next((m) => m.event === 'hello');
      expect((await ok.next()).id).toBe(`${ks.store.epoch}:3`);
    } finally {
      ok.close();
    }
  });

  it('streams a write made by another process (the CLI) through the poll', async () => {
    await using ks = await startKeystore({ pollIntervalMs: 20 });
    const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH);
    const cli = new SqliteKeyStore({ path: ks.dbPath, now: ks.clock.now() });
    try {
      await sse.next((m) => m.event === 'hello');
      const key = makeTestKey('test');
      const created = await cli.createKey(
        {
          id: 'key_CLIwrittenKey0000000000',
          accountId: cli.defaultAccountId,
          environment: 'test',
          hash: key.hash,
          hint: key.hint,
          name: null,
          rateLimit: null,
          expiresAt: null,
          rolledFrom: null,
          ...NO_POLICIES,
        },
        ks.clock.now(),
      );
      const event = await sse.next(isKey);
      expect(JSON.parse(event.data)).toMatchObject({ type: 'created', keyId: created.id, keyHash: key.hash });
    } finally {
      await cli.close();
      sse.close();
    }
  });

  it('serves many streams at once and forgets each one when its client leaves', async () => {
    await using ks = await startKeystore();
    const streams = await Promise.all(
      Array.from({ length: 40 }, () => connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH)),
    );
    await Promise.all(streams.map((s) => s.next((m) => m.event === 'hello')));
    expect(ks.app.hub.streamCount).toBe(40);
    const { id } = await createKey(ks);
    const events = await Promise.all(streams.map((s) => s.next(isKey)));
    for (const event of events) expect(JSON.parse(event.data).keyId).toBe(id);
    for (const stream of streams) stream.close();
    await vi.waitFor(() => expect(ks.app.hub.streamCount).toBe(0));
  });

  it('sends a ping comment on idle streams', async () => {
    await using ks = await startKeystore({ pingIntervalMs: 20 });
    const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH);
    try {
      const ping = await sse.next((m) => m.event === ':');
      expect(ping.data).toBe('ping');
    } finally {
      sse.close();
    }
  });

  it('announces an expiry once the clock passes it', async () => {
    await using ks = await startKeystore();
    const res = await ks.admin('/v1/keys', {
      method: 'POST',
      json: { environment: 'live', expiresAt: new Date(ks.clock.now() + 1000).toISOString() },
    });
    const { id } = ((await res.json()) as { data: { id: string } }).data;
    const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH);
    try {
      await sse.next((m) => m.event === 'hello');
      ks.clock.advance(1000);
      await ks.app.keys.expireDue();
      expect(JSON.parse((await sse.next(isKey)).data)).toMatchObject({ type: 'expired', keyId: id });
      expect(await ks.app.keys.expireDue()).toBe(0);
    } finally {
      sse.close();
    }
  });

  it('ends every stream when the app closes', async () => {
    const ks = await startKeystore();
    const sse = await connectSse(`${ks.baseUrl}/internal/v1/events`, AUTH);
    await sse.next((m) => m.event === 'hello');
    await ks[Symbol.asyncDispose]();
    expect(ks.app.hub.streamCount).toBe(0);
  });
});
