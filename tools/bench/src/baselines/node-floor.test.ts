import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenLocal, startEchoUpstream, type Echo } from '../testing/echo-upstream.ts';
import { runForwardingContract } from '../testing/forwarding-contract.ts';
import { createNodeFloor, type NodeFloorOptions } from './node-floor.ts';

async function startFloor(options: NodeFloorOptions) {
  const floor = createNodeFloor(options);
  const url = await listenLocal(floor.server);
  return { url, headers: {}, [Symbol.asyncDispose]: () => (floor.server.close(), floor.close()) };
}

/** A raw request, so hop-by-hop headers and chunked framing go out exactly as written. */
function rawRequest(
  url: string,
  options: { method: string; headers: Record<string, string>; chunks?: string[] },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe('Node floor', () => {
  runForwardingContract((upstreamUrl) => startFloor({ upstreamUrl }));

  it('drops hop-by-hop request headers and streams a chunked body', async () => {
    await using upstream = await startEchoUpstream();
    await using floor = await startFloor({ upstreamUrl: upstream.url });
    const res = await rawRequest(`${floor.url}/upload`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=9', te: 'trailers', 'x-kept': 'yes' },
      chunks: ['part one, ', 'part two'],
    });
    expect(res.status).toBe(201);
    const echo = JSON.parse(res.body) as Echo;
    expect(echo.body).toBe('part one, part two');
    expect(echo.headers['x-kept']).toBe('yes');
    expect(echo.headers['keep-alive']).toBeUndefined();
    expect(echo.headers.te).toBeUndefined();
  });

  it('awaits admit before forwarding: 429 when it refuses, 503 when it fails, and the upstream never sees either', async () => {
    await using upstream = await startEchoUpstream();
    const answers = [true, false];
    await using floor = await startFloor({
      upstreamUrl: upstream.url,
      admit: async () => {
        const next = answers.shift();
        if (next === undefined) throw new Error('bucket store down');
        return next;
      },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${floor.url}/x`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 429, 503]);
    expect(upstream.seen).toHaveLength(1);
  });

  it('answers 502 when the upstream is down', async () => {
    const down = await startEchoUpstream();
    const url = down.url;
    await down[Symbol.asyncDispose]();
    await using floor = await startFloor({ upstreamUrl: url });
    const res = await fetch(`${floor.url}/x`);
    expect(res.status).toBe(502);
  });
});
