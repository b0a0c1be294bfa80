import { describe, expect, it } from 'vitest';
import { CONTENTION_MS, TAKE_TOKENS_LUA } from './take-tokens-lua.ts';

describe('TAKE_TOKENS_LUA', () => {
  it('carries the contention window in the units it uses (µs for the lessee check, ms for the key expiry)', () => {
    expect(TAKE_TOKENS_LUA).toContain(`local contention_us = ${CONTENTION_MS * 1000}\n`);
    expect(TAKE_TOKENS_LUA).toContain(`math.max(ms_to_full, ${CONTENTION_MS})`);
    expect(TAKE_TOKENS_LUA).not.toContain('${');
  });

  it('reads time from the Redis server only', () => {
    expect(TAKE_TOKENS_LUA).toContain("redis.call('TIME')");
  });
});
