import { expect } from 'vitest';
import { scrape } from './admin-metrics.ts';
import type { Stack } from './stack.ts';

/** No issued key in anything the stack's apps logged, nor in the given proxies' `/metrics`. */
export async function expectNoKeyLeaked(
  stack: Stack,
  issued: readonly string[],
  adminUrls: readonly string[],
): Promise<void> {
  expect(issued.length, 'the scenario issued keys').toBeGreaterThan(0);
  const texts = [stack.logs(), ...(await Promise.all(adminUrls.map(scrape)))];
  for (const key of issued) {
    for (const text of texts) expect(text.includes(key), 'a full key leaked').toBe(false);
  }
}
