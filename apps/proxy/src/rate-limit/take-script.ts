import { defineScript, type CommandParser } from 'redis';

/**
 * One atomic token-bucket take (the same steps as token-bucket.ts).
 * KEYS[1] the bucket hash {t: tokens, u: last refill in µs};
 * ARGV capacity, refill per second, cost.
 * Time comes from the Redis server (`TIME`), so proxies with skewed clocks
 * share one timeline. The key expires when the bucket would be full again:
 * an absent bucket is a full one, so idle buckets cost no memory.
 * Returns {allowed 0|1, floor(tokens), ms to full, ms until `cost` tokens}.
 */
const LUA = `
local capacity = tonumber(ARGV[1])
local per_us = math.max(tonumber(ARGV[2]), 1e-6) / 1e6
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
if now > updated then
  tokens = tokens + (now - updated) * per_us
  updated = now
end
if tokens > capacity then tokens = capacity end
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
local ms_to_full = math.ceil((capacity - tokens) / per_us / 1000)
local ms_to_retry = 0
if allowed == 0 then ms_to_retry = math.ceil((cost - tokens) / per_us / 1000) end
if ms_to_full > 0 then
  redis.call('HSET', KEYS[1], 't', tokens, 'u', updated)
  redis.call('PEXPIRE', KEYS[1], ms_to_full)
else
  redis.call('DEL', KEYS[1])
end
return {allowed, math.floor(tokens), ms_to_full, ms_to_retry}
`;

/**
 * Registered through the client's `scripts` option: node-redis sends
 * EVALSHA and, on a NOSCRIPT reply (script cache flushed, fresh server),
 * resends the same call as EVAL by itself (`_executeScript` in
 * @redis/client), so a SCRIPT FLUSH costs one extra round trip, not an error.
 */
export const takeTokensScript = defineScript({
  SCRIPT: LUA,
  NUMBER_OF_KEYS: 1,
  parseCommand(parser: CommandParser, key: string, capacity: number, refillPerSecond: number, cost: number) {
    parser.pushKey(key);
    parser.push(String(capacity), String(refillPerSecond), String(cost));
  },
  // Lua integers arrive as RESP integers: a plain array of numbers.
  transformReply: (reply: unknown) => reply as [allowed: number, tokens: number, msToFull: number, msToRetry: number],
});
