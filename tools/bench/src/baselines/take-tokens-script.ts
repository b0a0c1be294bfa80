import { defineScript, type CommandParser } from 'redis';

/**
 * A copy of the proxy's token-bucket take (apps/proxy/src/rate-limit/
 * take-script.ts: tools may not import apps), so the floor's one EVALSHA
 * per request costs Redis and node-redis exactly what the proxy's does.
 * KEYS[1] the bucket hash; ARGV capacity, refill per second, cost.
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

export const takeTokensScript = defineScript({
  SCRIPT: LUA,
  NUMBER_OF_KEYS: 1,
  parseCommand(parser: CommandParser, key: string, capacity: number, refillPerSecond: number, cost: number) {
    parser.pushKey(key);
    parser.push(String(capacity), String(refillPerSecond), String(cost));
  },
  transformReply: (reply: unknown) => reply as [allowed: number, tokens: number, msToFull: number, msToRetry: number],
});
