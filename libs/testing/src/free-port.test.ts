import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from './free-port.ts';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

function listenOn(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** What Math.random() must return for freePort() to try `port` (its pick is 20 000 + ⌊r × (start − 20 000)⌋). */
const drawing = (port: number) => (port - 20_000 + 0.5) / (ephemeralStart - 20_000);

describe('freePort', () => {
  afterEach(() => vi.restoreAllMocks());

  it('skips a port something is listening on, and tries another', async () => {
    const busy = await listenOn(await freePort());
    const taken = (busy.address() as { port: number }).port;
    const other = await freePort();
    vi.spyOn(Math, 'random').mockReturnValueOnce(drawing(taken)).mockReturnValueOnce(drawing(other));
    try {
      expect(await freePort()).toBe(other);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it("picks loopback ports below the kernel's ephemeral range, each one free to bind", async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ephemeralStart);
      const server = await listenOn(port);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
