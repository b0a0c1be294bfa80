import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fromHeaderList, toRawHeaders } from '../testing/header-lists.ts';
import { readHead } from './request-head.ts';
import { upstreamHeaders, type Identity } from './rewrite-headers.ts';

const identity: Identity = { id: 'key_abc', accountId: 'acct_1', environment: 'live' };

function rewrite(headers: IncomingHttpHeaders, options: { identity?: Identity | null; websocket?: boolean } = {}) {
  const rawHeaders = toRawHeaders(headers);
  const list = upstreamHeaders(
    { rawHeaders, head: readHead(rawHeaders), clientAddress: '127.0.0.1' },
    options.identity === undefined ? identity : options.identity,
    'req-1',
    options.websocket ?? false,
  );
  return fromHeaderList(list);
}

describe('upstreamHeaders', () => {
  it('drops the credential and adds identity, forwarding and request id headers', () => {
    expect(rewrite({ host: 'api.local:5001', authorization: 'Bearer x', accept: 'application/json' })).toEqual({
      host: 'api.local:5001',
      accept: 'application/json',
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.local:5001',
      'x-request-id': 'req-1',
      'x-routemcp-key-id': 'key_abc',
      'x-routemcp-account-id': 'acct_1',
      'x-routemcp-environment': 'live',
    });
  });

  it('strips spoofed identity headers in any case or underscore spelling', () => {
    const out = rewrite({
      'x-routemcp-key-id': 'key_spoof',
      x_routemcp_key_id: 'key_spoof',
      'x-routemcp_account-id': 'acct_spoof',
      'x-routemcp-anything': 'spoof',
    });
    expect(out['x-routemcp-key-id']).toBe('key_abc');
    expect(out['x-routemcp-account-id']).toBe('acct_1');
    expect(Object.keys(out).filter((name) => name.replaceAll('_', '-').startsWith('x-routemcp-'))).toEqual([
      'x-routemcp-key-id',
      'x-routemcp-account-id',
      'x-routemcp-environment',
    ]);
  });

  it('reports only its peer as the client: X-Real-IP is set, other client-address claims are dropped', () => {
    const out = rewrite({
      'x-real-ip': '6.6.6.6',
      x_real_ip: '6.6.6.6',
      'true-client-ip': '6.6.6.6',
      'x-client-ip': '6.6.6.6',
      'x-cluster-client-ip': '6.6.6.6',
      'cf-connecting-ip': '6.6.6.6',
      'fastly-client-ip': '6.6.6.6',
    });
    expect(out['x-real-ip']).toBe('127.0.0.1');
    expect(Object.values(out)).not.toContain('6.6.6.6');
  });

  it('replaces forwarding headers instead of appending, and drops Forwarded', () => {
    const out = rewrite({
      'x-forwarded-for': '6.6.6.6',
      x_forwarded_for: '6.6.6.6',
      'x-forwarded-port': '1',
      forwarded: 'for=6.6.6.6',
    });
    expect(out['x-forwarded-for']).toBe('127.0.0.1');
    expect(out).not.toHaveProperty('x_forwarded_for');
    expect(out).not.toHaveProperty('x-forwarded-port');
    expect(out).not.toHaveProperty('forwarded');
  });

  it('removes hop-by-hop headers and those the Connection header nominates', () => {
    const out = rewrite({
      connection: 'keep-alive, X-Secret, x_other',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      trailer: 'x',
      upgrade: 'h2c',
      'proxy-authorization': 'Basic x',
      expect: '100-continue',
      'x-secret': 's',
      'x-other': 'o',
      'x-kept': 'k',
    });
    expect(
      Object.keys(out).filter((name) => !name.startsWith('x-routemcp-') && !name.startsWith('x-forwarded-')),
    ).toEqual(['x-kept', 'x-real-ip', 'x-request-id']);
  });

  it("never lets Connection nominate the proxy's own headers or the body framing away", () => {
    const out = rewrite({
      connection: 'close, X-RouteMCP-Key-Id, X-Request-Id, X-Forwarded-For, Content-Length, Host',
      host: 'h',
      'content-length': '3',
    });
    expect(out).toMatchObject({
      host: 'h',
      'content-length': '3',
      'x-routemcp-key-id': 'key_abc',
      'x-request-id': 'req-1',
      'x-forwarded-for': '127.0.0.1',
    });
  });

  it('leaves the framing to the upstream client and drops underscore look-alikes of framing headers', () => {
    const out = rewrite({ 'transfer-encoding': 'chunked', content_length: '5', transfer_encoding: 'x' });
    // Node decoded the chunked body; undici frames the body it streams upstream itself.
    expect(out).not.toHaveProperty('transfer-encoding');
    expect(out).not.toHaveProperty('content_length');
    expect(out).not.toHaveProperty('transfer_encoding');
  });

  it('adds no identity on public paths but still strips what clients send', () => {
    const out = rewrite({ 'x-routemcp-key-id': 'key_spoof' }, { identity: null });
    expect(Object.keys(out).some((name) => name.startsWith('x-routemcp-'))).toBe(false);
    expect(out['x-request-id']).toBe('req-1');
  });

  it('keeps the upgrade handshake for websockets', () => {
    const out = rewrite(
      { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k', 'sec-websocket-version': '13' },
      { websocket: true },
    );
    expect(out).toMatchObject({ connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });
});
