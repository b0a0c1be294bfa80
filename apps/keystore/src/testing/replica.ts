import { resolve } from 'node:path';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';
import { SERVICE_TOKEN, ADMIN_TOKEN } from './keystore-harness.ts';

export const FIRST_USER = { email: 'ops@example.com', password: 'replica test password' };

export interface Replica {
  name: string;
  baseUrl: string;
  process: ManagedProcess;
  /** Migration steps this replica applied at start (from its `database ready` log line). */
  applied: number;
  admin(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  service(path: string, init?: RequestInit): Promise<Response>;
}

const MAIN = resolve(import.meta.dirname, '../main.ts');

/** Starts `src/main.ts` as its own process on `databaseUrl`, on a free loopback port; resolves once it listens. */
export async function startReplica(group: ProcessGroup, name: string, databaseUrl: string): Promise<Replica> {
  const proc = group.startNode(name, MAIN, {
    env: {
      KEYSTORE_PORT: '0',
      KEYSTORE_HOST: '127.0.0.1',
      KEYSTORE_DATABASE_URL: databaseUrl,
      KEYSTORE_SERVICE_TOKEN: SERVICE_TOKEN,
      KEYSTORE_ADMIN_TOKEN: ADMIN_TOKEN,
      KEYSTORE_ADMIN_EMAIL: FIRST_USER.email,
      KEYSTORE_ADMIN_PASSWORD: FIRST_USER.password,
      // Webhook receivers in these tests listen on loopback.
      KEYSTORE_WEBHOOK_ALLOW_PRIVATE: 'true',
    },
  });
  const deadline = Date.now() + 30_000;
  let port: number | undefined;
  let applied = 0;
  while (port === undefined) {
    if (proc.exited()) throw new Error(`${name} exited: ${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${name} did not listen within 30 s: ${proc.output()}`);
    for (const line of proc.output().split('\n')) {
      if (line.includes('"database ready"')) applied = (JSON.parse(line) as { applied: number }).applied;
      if (line.includes('"keystore listening"')) port = (JSON.parse(line) as { port: number }).port;
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const call =
    (token: string) =>
    (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${token}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${baseUrl}${path}`, {
        ...rest,
        headers,
        body: json === undefined ? rest.body : JSON.stringify(json),
      });
    };
  return { name, baseUrl, process: proc, applied, admin: call(ADMIN_TOKEN), service: call(SERVICE_TOKEN) };
}
