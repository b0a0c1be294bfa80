import { randomUUID } from 'node:crypto';

const VALID = /^[A-Za-z0-9._-]{1,128}$/;

/** Keeps a caller's request id when it is safe to log and forward; otherwise makes one. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID.test(incoming) ? incoming : randomUUID();
}
