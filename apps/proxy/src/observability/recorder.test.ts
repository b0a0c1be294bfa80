import { makeTestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Exchange } from './exchange.ts';
import { ProxyMetrics } from './metrics.ts';
import { Recorder } from './recorder.ts';

function recorder(level = 'info'): { recorder: Recorder; lines: string[] } {
  const lines: string[] = [];
  const logger = pino(
    { level, base: { service: 'routemcp-proxy' }, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => void lines.push(line) },
  );
  return { recorder: new Recorder({ logger, metrics: new ProxyMetrics({ registry: new Registry() }) }), lines };
}

function exchange(fields: Partial<Exchange> = {}): Exchange {
  const now = performance.now();
  return {
    requestId: 'req-1',
    keyId: 'key_a',
    accountId: 'acct_a',
    method: 'GET',
    target: '/api/v1/contacts?provider=hubspot',
    statusCode: 200,
    outcome: 'ok',
    startedAt: now - 2,
    forwardedAt: now - 1,
    upstreamRespondedAt: now - 0.5,
    upgrade: false,
    ...fields,
  };
}

describe('the access log', () => {
  it('writes one JSON line per exchange in the shape pino writes its own lines', () => {
    const { recorder: r, lines } = recorder();
    r.record(exchange());
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual([
      'level',
      'time',
      'service',
      'reqId',
      'keyId',
      'accountId',
      'method',
      'path',
      'status',
      'outcome',
      'ms',
      'upgrade',
      'msg',
    ]);
    expect(line).toMatchObject({
      level: 30,
      service: 'routemcp-proxy',
      reqId: 'req-1',
      keyId: 'key_a',
      accountId: 'acct_a',
      method: 'GET',
      path: '/api/v1/contacts',
      status: 200,
      outcome: 'ok',
      upgrade: false,
      msg: 'request',
    });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    expect(Math.abs(Date.parse(line.time as string) - Date.now())).toBeLessThan(60_000);
  });

  it('says each line’s own key, path and outcome when they change from one line to the next', () => {
    const { recorder: r, lines } = recorder();
    r.record(exchange());
    r.record(exchange({ requestId: 'req-2', keyId: 'key_b', accountId: 'acct_b', target: '/other', outcome: 'x' }));
    r.record(exchange({ requestId: 'req-3', keyId: null, accountId: null, target: '/other', outcome: 'x' }));
    r.record(exchange({ requestId: 'req-4', accountId: 'acct_c' }));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((l) => [l.reqId, l.keyId, l.accountId, l.path, l.outcome])).toEqual([
      ['req-1', 'key_a', 'acct_a', '/api/v1/contacts', 'ok'],
      ['req-2', 'key_b', 'acct_b', '/other', 'x'],
      ['req-3', null, null, '/other', 'x'],
      ['req-4', 'key_a', 'acct_c', '/api/v1/contacts', 'ok'],
    ]);
  });

  it('logs the path without its query, with anything key-shaped reduced to a hint, escaped', () => {
    const { recorder: r, lines } = recorder();
    const { key } = makeTestKey('live');
    r.record(exchange({ target: `/a/${key}/"b\\?key=${key}` }));
    expect(lines[0]).not.toContain(key);
    expect((JSON.parse(lines[0]!) as { path: string }).path).toBe(`/a/sk_live_…${key.slice(-4)}/"b\\`);
  });

  it('writes nothing above info', () => {
    const { recorder: r, lines } = recorder('warn');
    r.record(exchange());
    expect(lines).toEqual([]);
  });
});
