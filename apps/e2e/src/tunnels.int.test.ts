import { startWebSocketEcho } from '@routemcp/testing/websocket-echo';
import { describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { issueSettledKey, ROOMY } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { startStack } from './stack.ts';

/** Outer bound on waiting for the close (a loaded machine); the 1 s bound is asserted on the measured time. */
const CLOSE_WAIT_MS = 10_000;

/** A real WebSocket client through the proxy, open and echoing; `closedAt` is when its close event came. */
async function openTunnel(proxyUrl: string, key: string) {
  const socket = new WebSocket(`${proxyUrl.replace('http', 'ws')}/ws/updates`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const closedAt = new Promise<number>((resolve) =>
    socket.addEventListener('close', () => resolve(performance.now()), { once: true }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('the tunnel did not open')), { once: true });
  });
  const echoed = new Promise<string>((resolve) =>
    socket.addEventListener('message', (event) => resolve(String(event.data)), { once: true }),
  );
  socket.send('hello');
  expect(await echoed).toBe('hello');
  const whenClosed = () =>
    Promise.race([
      closedAt,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the tunnel stayed open')), CLOSE_WAIT_MS).unref(),
      ),
    ]);
  return { socket, whenClosed };
}

function closeLines(output: string): { keyId: string; reason: string }[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"msg":"tunnel closed"'))
    .map((line) => JSON.parse(line) as { keyId: string; reason: string });
}

describe('open WebSocket tunnels follow their key (real keystore, real proxy process)', () => {
  it('a revoke through the management API closes the key’s tunnel within a second', async () => {
    const issued: string[] = [];
    await using echo = await startWebSocketEcho();
    // Positive entries live 10 minutes: only the change event can explain a close within this test.
    await using stack = await startStack({ proxyEnv: { CACHE_TTL_MS: '600000' } });
    const proxy = await stack.startProxy({ UPSTREAM_URL: echo.url });
    const { id, key } = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [
      proxy.adminUrl,
    ]);
    const tunnel = await openTunnel(proxy.url, key);
    expect(sampleSum(await scrape(proxy.adminUrl), 'routemcp_proxy_websocket_tunnels_open')).toBe(1);

    const revoked = await stack.manage('POST', `/v1/keys/${id}/revoke`);
    const since = performance.now();
    expect(revoked.status).toBe(200);
    const ms = (await tunnel.whenClosed()) - since;
    console.info(`tunnel closed ${ms.toFixed(1)} ms after the revoke response`);
    expect(ms).toBeLessThan(1000);

    const metrics = await scrape(proxy.adminUrl);
    expect(sampleSum(metrics, 'routemcp_proxy_websocket_tunnels_open')).toBe(0);
    expect(sampleSum(metrics, 'routemcp_proxy_websocket_tunnels_closed_total', { reason: 'revoked' })).toBe(1);
    await expectNoKeyLeaked(stack, issued, [proxy.adminUrl]);
    // Its log is buffered: a stop flushes it.
    await proxy.app.stop();
    expect(closeLines(proxy.app.output())).toEqual([expect.objectContaining({ keyId: id, reason: 'revoked' })]);
  });

  it('a roll with grace 0 (the old key revoked at once) closes its tunnel within a second; a PATCH that still admits one leaves it', async () => {
    const issued: string[] = [];
    await using echo = await startWebSocketEcho();
    await using stack = await startStack({ proxyEnv: { CACHE_TTL_MS: '600000' } });
    const proxy = await stack.startProxy({ UPSTREAM_URL: echo.url });
    const { id, key } = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [
      proxy.adminUrl,
    ]);
    const tunnel = await openTunnel(proxy.url, key);
    const patched = await stack.manage('PATCH', `/v1/keys/${id}`, { permissions: ['GET /ws/**'] });
    expect(patched.status).toBe(200);

    const rolled = await stack.manage('POST', `/v1/keys/${id}/roll`, { gracePeriodSeconds: 0 });
    const since = performance.now();
    expect(rolled.status).toBe(201);
    issued.push(rolled.json.data.key);
    const ms = (await tunnel.whenClosed()) - since;
    console.info(`tunnel closed ${ms.toFixed(1)} ms after the roll response`);
    expect(ms).toBeLessThan(1000);
    await expectNoKeyLeaked(stack, issued, [proxy.adminUrl]);
    await proxy.app.stop();
    // One close, for the roll: the admitting PATCH before it closed nothing.
    expect(closeLines(proxy.app.output()).map((line) => line.reason)).toEqual(['revoked']);
  });
});
