import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port handed out: above the ports the product and its peers use by default (5001–5004, 6379, 9090, …). */
const LOWEST = 20_000;
const ATTEMPTS = 100;

/**
 * A loopback port nothing listens on, for a process a test is about to
 * start, picked below the kernel's ephemeral range.
 *
 * A port from `listen(0)` comes out of that range, and once released it
 * is the kernel's to give again: to the next outgoing connection's local
 * end, to a port Docker publishes, to another suite's `listen(0)`. On a
 * busy CI run the process the test starts a second later then fails with
 * EADDRINUSE. Below the range only another `freePort()` picks, at random,
 * and each pick is checked by binding it.
 */
export async function freePort(): Promise<number> {
  const ceiling = ephemeralStart();
  if (ceiling - LOWEST < 1_000) return kernelPick();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (ceiling - LOWEST));
    if (await listens(port)) return port;
  }
  throw new Error(`no free loopback port in ${LOWEST}–${ceiling - 1} after ${ATTEMPTS} tries`);
}

/** The first port of the kernel's ephemeral range (Linux's default 32768 elsewhere). */
function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 0 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether `port` can be bound on loopback right now (it is released again before this resolves). */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function kernelPick(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
