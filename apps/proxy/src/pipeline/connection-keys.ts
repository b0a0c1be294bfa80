import { hash } from '@routemcp/api-key';
import { readKey } from './read-key.ts';
import type { RequestHead } from './request-head.ts';

/** What one connection presented last: its Authorization value and the key's digest. */
interface Presented {
  authorization: string;
  keyHash: string;
}

/**
 * Reads a request's key and hashes it — once per connection while the
 * connection keeps sending the same Authorization value. A keep-alive client
 * repeats its header on every request, and the format check, the checksum
 * and the SHA-256 are pure functions of it: the second time, the answer is
 * the first one. Only the digest is remembered, never a verdict, so every
 * request still asks the verifier, and a revoke or a policy change applies
 * to the very next request on the same connection.
 *
 * The memo holds only what this connection itself sent, so comparing a new
 * value with it tells the client nothing it did not already know; a
 * malformed value is never remembered (it is refused before any digest).
 * Keyed weakly by the connection: it goes with the socket.
 */
export class ConnectionKeys {
  readonly #presented = new WeakMap<object, Presented>();
  readonly #hash: (key: string) => string;

  constructor(options: { hash?: (key: string) => string } = {}) {
    this.#hash = options.hash ?? hash;
  }

  /** The key's SHA-256 hex, or null when the request has not exactly one well-formed Bearer key. */
  keyHashOf(
    head: Pick<RequestHead, 'authorization' | 'authorizations'>,
    connection: object | undefined,
  ): string | null {
    const value = head.authorization;
    const last = connection === undefined ? undefined : this.#presented.get(connection);
    if (last !== undefined && head.authorizations === 1 && last.authorization === value) return last.keyHash;
    const read = readKey(head);
    if (!read.ok) return null;
    const keyHash = this.#hash(read.key);
    if (last !== undefined) {
      last.authorization = value!;
      last.keyHash = keyHash;
    } else if (connection !== undefined) this.#presented.set(connection, { authorization: value!, keyHash });
    return keyHash;
  }
}
