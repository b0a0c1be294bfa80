import { describe, expect, it } from 'vitest';
import { fromHeaderList } from '../testing/header-lists.ts';
import { responseHead } from './response-head.ts';

describe('responseHead', () => {
  it('copies end-to-end headers, drops hop-by-hop ones, then adds ours and Connection', () => {
    const head = responseHead(
      {
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2'],
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        connection: 'keep-alive',
        'x-request-id': 'theirs',
      },
      ['X-Request-Id', 'ours'],
      false,
      true,
    );
    expect(head).toEqual([
      'content-type',
      'application/json',
      'set-cookie',
      'a=1',
      'set-cookie',
      'b=2',
      'X-Request-Id',
      'ours',
      'connection',
      'keep-alive',
    ]);
  });

  it('drops what the upstream nominates in Connection, but never the framing', () => {
    const head = fromHeaderList(
      responseHead(
        { connection: 'close, X-Hop, Content-Length', 'x-hop': 'h', 'content-length': '2', 'x-app': 'kept' },
        [],
        false,
        false,
      ),
    );
    expect(head).toEqual({ 'content-length': '2', 'x-app': 'kept', connection: 'close' });
  });

  it("lets our RateLimit headers win over the upstream's once we limited the request", () => {
    const upstream = { 'ratelimit-limit': '999', 'ratelimit-policy': 'theirs', 'x-app': 'kept' };
    const ours = ['RateLimit-Limit', '10'];
    expect(fromHeaderList(responseHead(upstream, ours, true, true))).toEqual({
      'x-app': 'kept',
      'RateLimit-Limit': '10',
      connection: 'keep-alive',
    });
    // A public path is not limited: the upstream's own headers then pass.
    expect(fromHeaderList(responseHead(upstream, [], false, true))).toMatchObject({ 'ratelimit-limit': '999' });
  });
});
