import { generate, hash, hint, type Environment } from './api-key.ts';

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
