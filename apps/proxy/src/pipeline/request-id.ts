import { randomUUID } from 'node:crypto';

const VALID = /^[A-Za-z0-9._-]{1,128}$/;
/** A key's prefix: a client that puts its key in X-Request-Id must not have it logged, echoed and forwarded. */
const KEY_SHAPED = /sk_(?:live|test)_/;

/** Keeps a caller's request id when it is safe to log and forward; otherwise makes one. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID.test(incoming) && !KEY_SHAPED.test(incoming) ? incoming : randomUUID();
}
