import { randomBytes } from 'node:crypto';

const VALID = /^[A-Za-z0-9._-]{1,128}$/;
/** A key's prefix: a client that puts its key in X-Request-Id must not have it logged, echoed and forwarded. */
const KEY_SHAPED = /sk_(?:live|test)_/;

/** Ids made from one prefix before a fresh one is drawn (the counter's 12 hex digits hold far more). */
const PER_PREFIX = 2 ** 32;

/**
 * Fresh request ids: UUID-shaped (RFC 9562 version 8, "custom"), 74 random
 * bits drawn once per process (and again every 2^32 ids) followed by a
 * counter. Unique across processes and restarts like a random UUID, at a
 * fraction of `randomUUID()`'s cost per request (one counter increment and
 * one short string instead of a buffered random draw and its formatting).
 */
class RequestIds {
  #prefix = '';
  #count = PER_PREFIX;

  next(): string {
    if (this.#count >= PER_PREFIX) this.#draw();
    return this.#prefix + (this.#count++).toString(16).padStart(12, '0');
  }

  #draw(): void {
    const hex = randomBytes(10).toString('hex');
    const variant = ((parseInt(hex[12]!, 16) & 0x3) | 0x8).toString(16);
    this.#prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(16, 19)}-`;
    this.#count = 0;
  }
}

const ids = new RequestIds();

/** Keeps a caller's request id when it is safe to log and forward; otherwise makes one. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID.test(incoming) && !KEY_SHAPED.test(incoming) ? incoming : ids.next();
}
