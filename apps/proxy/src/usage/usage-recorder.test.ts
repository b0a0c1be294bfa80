import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { UsageRecorder, type UsageEntry, type UsageSink } from './usage-recorder.ts';

function setup(options: { fail?: boolean; maxKeys?: number; gate?: Promise<void> } = {}) {
  let now = Date.parse('2026-11-28T10:00:00.000Z');
  const batches: UsageEntry[][] = [];
  let fail = options.fail ?? false;
  const sink: UsageSink = {
    send: async (entries) => {
      await options.gate;
      if (fail) throw new Error('keystore down');
      batches.push(entries);
    },
  };
  const registry = new Registry();
  const recorder = new UsageRecorder({ sink, clock: { now: () => now }, registry, maxKeys: options.maxKeys });
  return {
    recorder,
    batches,
    registry,
    advance: (ms: number) => (now += ms),
    heal: () => (fail = false),
  };
}

describe('UsageRecorder', () => {
  it('sends one entry per key per flush, counting requests, 429s and what was let through', async () => {
    const { recorder, batches, advance } = setup();
    recorder.record('key_a', false, true);
    advance(1000);
    recorder.record('key_a', true, false);
    recorder.record('key_b', false, true);
    // Verified but neither limited nor let through (a 403 for a path outside its permissions).
    recorder.record('key_b', false, false);
    await recorder.flush();
    expect(batches).toEqual([
      [
        { keyId: 'key_a', requests: 2, rateLimited: 1, admitted: 1, lastUsedAt: '2026-11-28T10:00:01.000Z' },
        { keyId: 'key_b', requests: 2, rateLimited: 0, admitted: 1, lastUsedAt: '2026-11-28T10:00:01.000Z' },
      ],
    ]);
    await recorder.flush();
    expect(batches).toHaveLength(1);
  });

  it('keeps a failed batch and sends it merged with the next one', async () => {
    const { recorder, batches, heal } = setup({ fail: true });
    recorder.record('key_a', false);
    await recorder.flush();
    expect(batches).toHaveLength(0);
    heal();
    recorder.record('key_a', true);
    await recorder.flush();
    expect(batches).toEqual([[expect.objectContaining({ keyId: 'key_a', requests: 2, rateLimited: 1 })]]);
  });

  it('sends a full batch at once instead of dropping the next key', async () => {
    const { recorder, batches, registry } = setup({ maxKeys: 2 });
    for (const id of ['key_a', 'key_b', 'key_c']) recorder.record(id, false);
    await recorder.close();
    expect(batches.map((batch) => batch.map((entry) => entry.keyId))).toEqual([['key_a', 'key_b'], ['key_c']]);
    expect(await registry.getSingleMetricAsString('routemcp_proxy_usage_dropped_total')).toMatch(/ 0$/m);
  });

  it('bounds memory: while a full batch is still being sent, keys past the limit are dropped and counted', async () => {
    let release!: () => void;
    const { recorder, batches, registry } = setup({ maxKeys: 2, gate: new Promise((resolve) => (release = resolve)) });
    for (const id of ['key_a', 'key_b', 'key_c', 'key_d', 'key_e']) recorder.record(id, false);
    release();
    await recorder.close();
    expect(batches.map((batch) => batch.map((entry) => entry.keyId))).toEqual([
      ['key_a', 'key_b'],
      ['key_c', 'key_d'],
    ]);
    expect(await registry.getSingleMetricAsString('routemcp_proxy_usage_dropped_total')).toMatch(/ 1$/m);
  });
});
