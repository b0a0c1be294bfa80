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
 * A connection may carry several clients' keys (a load balancer's or a
 * forward-auth gateway's pooled connection), so the new value is compared
 * with the remembered one in constant time, as the digest would have been
 * computed: how much of a guess matches another client's key never shows
 * in the timing. A malformed value is never remembered (it is refused
 * before any digest). Keyed weakly by the connection: it goes with the
 * socket.
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
    if (last !== undefined && head.authorizations === 1 && sameValue(last.authorization, value)) return last.keyHash;
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

/** Equal strings, compared over their whole length whatever they hold (the length of a key is no secret). */
function sameValue(known: string, value: string | undefined): boolean {
  if (value === undefined || value.length !== known.length) return false;
  let difference = 0;
  for (let i = 0; i < known.length; i++) difference |= known.charCodeAt(i) ^ value.charCodeAt(i);
  return difference === 0;
}
