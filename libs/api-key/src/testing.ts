import { CHECKSUM_LENGTH, checksum, generate, hash, hint, type Environment } from './api-key.ts';
import { BASE62 } from './base62.ts';

export interface TestKey {
  key: string;
  hash: string;
  hint: string;
  environment: Environment;
}

/** A fresh, well-formed key with its derived forms, for tests. Never commit its output. */
export function makeTestKey(environment: Environment = 'test'): TestKey {
  const key = generate(environment);
  return { key, hash: hash(key), hint: hint(key), environment };
}

/**
 * The same key with its last random character changed and the checksum made
 * valid again: well-formed, right prefix, wrong tail. What a guess "one
 * character away" looks like, for tests that such a guess learns nothing.
 */
export function nearMiss(key: string): string {
  const head = key.slice(0, -CHECKSUM_LENGTH);
  const last = head.at(-1)!;
  const other = BASE62[(BASE62.indexOf(last) + 1) % BASE62.length]!;
  const changed = head.slice(0, -1) + other;
  return changed + checksum(changed);
}
