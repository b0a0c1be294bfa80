import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { drainServer } from './drain.ts';
import { listen } from './listen.ts';

describe('drainServer', () => {
  it('lets an in-flight request finish, refuses new connections, closes idle keep-alive sockets', async () => {
    let finishRequest!: () => void;
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer((req, res) => {
      if (req.url === '/slow') {
        finishRequest = () => res.end('done');
        arrived();
      } else res.end('fast');
    });
    await listen(server, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // An idle keep-alive connection that must not hold the drain up.
    await (await fetch(`${url}/fast`)).text();
    const slow = fetch(`${url}/slow`).then((res) => res.text());
    await inFlight;

    const drained = drainServer(server, 5_000);
    await expect(fetch(`${url}/fast`)).rejects.toThrow();
    finishRequest();
    expect(await slow).toBe('done');
    expect(await drained).toBe('drained');
  });

  it('cuts what is still open after the grace period', async () => {
    const server = createServer(() => {});
    await listen(server, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hanging = fetch(url).catch((err: unknown) => err);
    await new Promise((resolve) => server.once('request', resolve));
    expect(await drainServer(server, 20)).toBe('forced');
    expect(await hanging).toBeInstanceOf(Error);
  });
});
