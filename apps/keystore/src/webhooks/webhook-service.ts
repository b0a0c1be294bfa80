import { lookup } from 'node:dns/promises';
import type { Clock } from '../clock.ts';
import { newWebhookId } from '../ids.ts';
import { isPublicAddress, urlProblem } from './receiver-url.ts';
import type { DeliveryRecord, NewWebhook, WebhookPatch, WebhookRecord } from './webhook-record.ts';
import { newWebhookSecret } from './webhook-secret.ts';
import type { WebhookStore } from './webhook-store.ts';

/** The addresses a host name resolves to (injected: tests answer without DNS). */
export type ResolveHost = (host: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (host) => (await lookup(host, { all: true })).map((entry) => entry.address);

export interface WebhookServiceOptions {
  store: WebhookStore;
  clock: Clock;
  /** KEYSTORE_WEBHOOK_ALLOW_PRIVATE: loopback and private receivers allowed. */
  allowPrivate: boolean;
  resolve?: ResolveHost;
  /** After a change that may have made a delivery due (a retry): wake the dispatcher. */
  onDue?: () => void;
}

export type WebhookResult = { ok: true; webhook: WebhookRecord } | { ok: false; message: string };

/** Webhook endpoints as the management API and the dashboard change them; the account check is the caller's. */
export class WebhookService {
  readonly #options: WebhookServiceOptions;

  constructor(options: WebhookServiceOptions) {
    this.#options = options;
  }

  get #store(): WebhookStore {
    return this.#options.store;
  }

  /** The secret is in the answer; callers show it once. */
  async create(input: Omit<NewWebhook, 'id' | 'secret'>): Promise<WebhookResult> {
    const refused = await this.#checkUrl(input.url);
    if (refused !== undefined) return { ok: false, message: `url: ${refused}` };
    const webhook = await this.#store.createWebhook(
      { ...input, id: newWebhookId(), secret: newWebhookSecret() },
      this.#options.clock.now(),
    );
    return { ok: true, webhook };
  }

  get(id: string): Promise<WebhookRecord | undefined> {
    return this.#store.getWebhook(id);
  }

  list(accountId: string | undefined): Promise<WebhookRecord[]> {
    return this.#store.listWebhooks(accountId);
  }

  async update(id: string, patch: WebhookPatch): Promise<WebhookResult | undefined> {
    if (patch.url !== undefined) {
      const refused = await this.#checkUrl(patch.url);
      if (refused !== undefined) return { ok: false, message: `url: ${refused}` };
    }
    const webhook = await this.#store.updateWebhook(id, patch, this.#options.clock.now());
    if (webhook === undefined) return undefined;
    // Turned on again: what waited for it is due.
    if (patch.disabled === false) this.#options.onDue?.();
    return { ok: true, webhook };
  }

  rotateSecret(id: string): Promise<WebhookRecord | undefined> {
    return this.#store.setSecret(id, newWebhookSecret(), this.#options.clock.now());
  }

  delete(id: string): Promise<boolean> {
    return this.#store.deleteWebhook(id);
  }

  deliveries(webhookId: string, limit = 100): Promise<DeliveryRecord[]> {
    return this.#store.listDeliveries(webhookId, limit);
  }

  getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.#store.getDelivery(id);
  }

  async retry(id: string): Promise<DeliveryRecord | undefined> {
    const delivery = await this.#store.retryDelivery(id, this.#options.clock.now());
    if (delivery !== undefined) this.#options.onDue?.();
    return delivery;
  }

  /**
   * What `urlProblem` checks, and a name resolved once now so that a typo or
   * a name pointing inside the network is refused at once; the dispatcher
   * checks the addresses again on every connection.
   */
  async #checkUrl(text: string): Promise<string | undefined> {
    const problem = urlProblem(text, this.#options.allowPrivate);
    if (problem !== undefined || this.#options.allowPrivate) return problem;
    const host = new URL(text).hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = await (this.#options.resolve ?? resolveWithDns)(host);
    } catch {
      return `the host ${host} does not resolve`;
    }
    if (addresses.length === 0) return `the host ${host} does not resolve`;
    if (addresses.some((address) => !isPublicAddress(address)))
      return `${host} resolves to an address outside the public internet (KEYSTORE_WEBHOOK_ALLOW_PRIVATE=true allows it)`;
    return undefined;
  }
}
