import pg from 'pg';
import type { Logger } from 'pino';
import type { EventSignal } from '../storage.ts';
import { EVENT_CHANNEL } from './postgres-migrations.ts';
import { connectionErrorFields, connectionSettings, withTimeout } from './postgres-pool.ts';

export interface PostgresEventSignalOptions {
  url: string;
  logger: Logger;
  /** A LISTEN connection can die without an error (a frozen server, a dropped route): this often it is asked to answer. */
  heartbeatMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to other
 * queries and lose the subscription). NOTIFY is only a wake-up: a
 * notification sent while this was reconnecting is lost, so every
 * successful (re)connect wakes the subscribers too, and they read the event
 * table from their cursor.
 */
export class PostgresEventSignal implements EventSignal {
  readonly #options: PostgresEventSignalOptions;
  readonly #subscribers = new Set<() => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #connects = 0;

  constructor(options: PostgresEventSignalOptions) {
    this.#options = options;
  }

  /** How many times the listener got as far as LISTEN (1 + reconnects). */
  get connects(): number {
    return this.#connects;
  }

  start(): void {
    if (this.#client === undefined && this.#retry === undefined && !this.#closed) void this.#connect();
  }

  subscribe(onWake: () => void): () => void {
    this.#subscribers.add(onWake);
    return () => this.#subscribers.delete(onWake);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    this.#retry = undefined;
    const client = new pg.Client({
      ...connectionSettings(this.#options.url),
      application_name: 'routemcp-keystore-listen',
    });
    client.on('notification', () => this.#wake());
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#attempt = 0;
    this.#connects++;
    this.#heartbeat = setInterval(() => void this.#beat(client), this.#options.heartbeatMs ?? 5000).unref();
    if (this.#connects > 1) this.#options.logger.info('event listener reconnected');
    // Whatever was notified while we were away is in the table: read it now.
    this.#wake();
  }

  async #beat(client: pg.Client): Promise<void> {
    try {
      await client.query(withTimeout('SELECT 1', 2000));
    } catch (error) {
      this.#lost(client, error);
    }
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== undefined && this.#client !== client) return;
    if (this.#client === undefined && this.#retry !== undefined) return;
    this.#client = undefined;
    clearInterval(this.#heartbeat);
    // end() of a connection to a frozen server may never settle; nothing waits for it.
    void client.end().catch(() => undefined);
    if (this.#closed) return;
    const { backoffMinMs = 100, backoffMaxMs = 2000 } = this.#options;
    const delay = Math.min(backoffMaxMs, backoffMinMs * 2 ** Math.min(this.#attempt++, 10));
    this.#options.logger.warn(
      { ...connectionErrorFields(error), retryInMs: delay },
      'event listener lost its connection',
    );
    this.#retry = setTimeout(() => void this.#connect(), delay);
    this.#retry.unref();
  }

  #wake(): void {
    for (const onWake of this.#subscribers) onWake();
  }
}
