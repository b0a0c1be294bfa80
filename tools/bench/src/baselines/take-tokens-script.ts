import { defineScript, type CommandParser } from 'redis';

/** The proxy's CONTENTION_MS (apps/proxy/src/rate-limit/take-script.ts). */
const CONTENTION_MS = 2_000;

/**
 * A copy of the proxy's take script (apps/proxy/src/rate-limit/
 * take-script.ts; tools may not import apps, and take-script-copy.test.ts
 * fails when the two differ), called as the proxy calls it with leases off
 * for a key with one bucket: one bucket, cost 1, no quota, no lease wanted,
 * nothing given back. So the floor's one EVALSHA per request costs Redis
 * and node-redis what the proxy's does: the same script, the same nine
 * arguments, the same nine numbers back.
 */
export const LUA = `
local n = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local has_quota = ARGV[3] == '1'
local lessee = ARGV[4]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local contention_us = ${CONTENTION_MS * 1000}
local buckets = {}
local buckets_admit = true
for i = 1, n do
  local a = 4 + (i - 1) * 5
  local b = {}
  b.capacity = tonumber(ARGV[a + 1])
  b.per_us = math.max(tonumber(ARGV[a + 2]), 1e-6) / 1e6
  b.shadow = ARGV[a + 3] == '1'
  b.want = tonumber(ARGV[a + 4])
  local back = tonumber(ARGV[a + 5])
  local state = redis.call('HMGET', KEYS[i], 't', 'u', 'l', 'lt')
  local tokens = tonumber(state[1])
  local updated = tonumber(state[2])
  if tokens == nil or updated == nil then
    tokens = b.capacity
    updated = now
  end
  if now > updated then
    tokens = tokens + (now - updated) * b.per_us
    updated = now
  end
  tokens = tokens + back
  if tokens > b.capacity then tokens = b.capacity end
  local last = state[3]
  local last_at = tonumber(state[4])
  b.contended = last ~= false and last ~= lessee and last_at ~= nil and now - last_at < contention_us
  b.tokens = tokens
  b.updated = updated
  if not b.shadow and tokens < cost then buckets_admit = false end
  buckets[i] = b
end
local quota_admits = true
local used = 0
local quota_key = KEYS[n + 1]
local q = 5 + n * 5
local quota_lease = 0
if has_quota then
  local limit = tonumber(ARGV[q])
  local current = redis.call('GET', quota_key)
  if current then used = tonumber(current) else used = tonumber(ARGV[q + 2]) end
  used = used - tonumber(ARGV[q + 4])
  if used < 0 then used = 0 end
  if used + cost > limit then quota_admits = false end
end
local admitted = buckets_admit and quota_admits
local out = {0, 0, 0, 0}
if admitted then out[1] = 1 elseif not buckets_admit then out[2] = 1 else out[2] = 2 end
for i = 1, n do
  local b = buckets[i]
  local ok = b.tokens >= cost
  local granted = 0
  local shadow_refused = 0
  if admitted and ok then
    b.tokens = b.tokens - cost
    if b.want > 0 and not b.contended then
      granted = math.min(b.want, math.floor(b.tokens / 8))
      b.tokens = b.tokens - granted
    end
  elseif admitted then
    shadow_refused = 1
  end
  local ms_to_full = math.ceil((b.capacity - b.tokens) / b.per_us / 1000)
  local ms_to_retry = 0
  if not ok then ms_to_retry = math.ceil((cost - b.tokens) / b.per_us / 1000) end
  if ms_to_full > 0 then
    redis.call('HSET', KEYS[i], 't', b.tokens, 'u', b.updated, 'l', lessee, 'lt', now)
    redis.call('PEXPIRE', KEYS[i], math.max(ms_to_full, ${CONTENTION_MS}))
  else
    redis.call('DEL', KEYS[i])
  end
  local o = 4 + (i - 1) * 5
  out[o + 1] = granted
  out[o + 2] = math.floor(b.tokens)
  out[o + 3] = ms_to_full
  out[o + 4] = ms_to_retry
  out[o + 5] = shadow_refused
end
if has_quota then
  local limit = tonumber(ARGV[q])
  if admitted then
    used = used + cost
    local want = tonumber(ARGV[q + 3])
    local contended = false
    for i = 1, n do if buckets[i].contended then contended = true end end
    if want > 0 and not contended then
      quota_lease = math.min(want, math.floor((limit - used) / 8))
      used = used + quota_lease
    end
  end
  local ttl = tonumber(ARGV[q + 1])
  if ttl > 0 then redis.call('SET', quota_key, used, 'PX', ttl) else redis.call('SET', quota_key, used) end
  out[3] = used
  out[4] = quota_lease
end
return out
`;

export const takeTokensScript = defineScript({
  SCRIPT: LUA,
  NUMBER_OF_KEYS: 1,
  parseCommand(parser: CommandParser, key: string, lessee: string, capacity: number, refillPerSecond: number) {
    parser.pushKey(key);
    // n buckets, cost, has quota, lessee; then the bucket: capacity, refill, shadow, lease wanted, given back.
    parser.push('1', '1', '0', lessee, String(capacity), String(refillPerSecond), '0', '0', '0');
  },
  // {admitted, refused by, quota used, quota lease, lease granted, tokens, ms to full, ms to retry, shadow refused}
  transformReply: (reply: unknown) => reply as number[],
});
