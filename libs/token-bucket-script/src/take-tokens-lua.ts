/** How long after another proxy's call a bucket counts as shared between proxies (leases shrink to nothing). */
export const CONTENTION_MS = 2_000;

/**
 * One atomic decision for a whole plan (the same steps as the proxy's
 * in-memory buckets, apps/proxy/src/rate-limit/token-bucket.ts), with
 * leases. Source text only: the proxy registers it with node-redis
 * (rate-limit/take-script.ts), and the bench's floor+evalsha baseline runs
 * this very text, so the floor pays exactly what the proxy's call costs.
 *
 * KEYS: the plan's bucket hashes {t: tokens, u: last refill µs, l: last
 * lessee, lt: its time µs}, then the quota counter when there is one.
 * ARGV: n buckets, cost, has quota (0|1), lessee (this proxy's id); then per
 * bucket: capacity, refill per second, shadow (0|1), lease wanted (tokens
 * beyond `cost`), given back (unused tokens of an earlier lease); then, with
 * a quota: limit, ms to the period's end (0: never), seed (the keystore's
 * count, used when the counter does not exist yet), lease wanted, given back.
 *
 * Time comes from the Redis server (`TIME`): proxies with skewed clocks share
 * one timeline. Given-back tokens go in first (capped at capacity). Every
 * non-shadow bucket needs `cost` tokens and the quota `cost` units, or
 * nothing is spent; a shadow bucket short of `cost` is not spent and is
 * reported. A lease is granted only while the bucket is not contended (no
 * other proxy called within CONTENTION_MS), and never more than an eighth
 * of what is left after this request: under contention every proxy takes
 * exactly what it spends, as without leases. A bucket key expires when it
 * would be full again (an absent bucket is a full one).
 *
 * Returns {admitted 0|1, refused by (0 none, 1 bucket, 2 quota), quota used,
 * quota lease granted, then per bucket: lease granted, floor(tokens left),
 * ms to full, ms until `cost` tokens, shadow refused 0|1}.
 */
export const TAKE_TOKENS_LUA = `
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
