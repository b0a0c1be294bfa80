import type { KeystoreClient, LookupResult } from './keystore-client.ts';
import type { KeystoreReplicas } from './keystore-replicas.ts';

const CIRCUIT_OPEN: LookupResult = Object.freeze({ kind: 'error', error: 'circuit_open' });

export interface FailoverKeystoreClientOptions {
  replicas: KeystoreReplicas;
  /** One client per replica, in the order of `replicas.replicas`. */
  clients: readonly KeystoreClient[];
  /** Each call to one replica: `answered`, or `failed` (moved on to the next). */
  onAttempt?: (replicaIndex: number, outcome: 'answered' | 'failed') => void;
}

/**
 * Whether the replica itself is at fault: refused, reset, timed out, a 5xx
 * or a body that is not the contract. A 4xx (a wrong service token) is the
 * replica answering, and every other replica would answer the same.
 */
function replicaFailed(result: LookupResult): boolean {
  return result.kind === 'error' && result.error !== 'rejected';
}

/** `KeystoreClient` over several keystore replicas: each lookup fails over to the next while one fails. */
export class FailoverKeystoreClient implements KeystoreClient {
  readonly #options: FailoverKeystoreClientOptions;

  constructor(options: FailoverKeystoreClientOptions) {
    if (options.clients.length !== options.replicas.replicas.length)
      throw new Error('one keystore client per replica is needed');
    this.#options = options;
  }

  async lookup(keyHash: string): Promise<LookupResult> {
    const { replicas, clients, onAttempt } = this.#options;
    const result = await replicas.call(async (replica) => {
      const value = await clients[replica.index]!.lookup(keyHash);
      const answered = !replicaFailed(value);
      onAttempt?.(replica.index, answered ? 'answered' : 'failed');
      return { answered, value };
    });
    return result ?? CIRCUIT_OPEN;
  }

  async close(): Promise<void> {
    await Promise.all(this.#options.clients.map((client) => client.close?.()));
  }
}
