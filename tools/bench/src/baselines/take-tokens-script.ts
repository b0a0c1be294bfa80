import { TAKE_TOKENS_LUA } from '@routemcp/token-bucket-script';
import { defineScript, type CommandParser } from 'redis';

/**
 * The proxy's own take script (@routemcp/token-bucket-script, the one copy
 * both import), called as the proxy calls it with leases off for a key with
 * one bucket: one bucket, cost 1, no quota, no lease wanted, nothing given
 * back. So the floor's one EVALSHA per request costs Redis and node-redis
 * what the proxy's does: the same script, the same nine arguments, the same
 * nine numbers back.
 */
export const takeTokensScript = defineScript({
  SCRIPT: TAKE_TOKENS_LUA,
  NUMBER_OF_KEYS: 1,
  parseCommand(parser: CommandParser, key: string, lessee: string, capacity: number, refillPerSecond: number) {
    parser.pushKey(key);
    // n buckets, cost, has quota, lessee; then the bucket: capacity, refill, shadow, lease wanted, given back.
    parser.push('1', '1', '0', lessee, String(capacity), String(refillPerSecond), '0', '0', '0');
  },
  // {admitted, refused by, quota used, quota lease, lease granted, tokens, ms to full, ms to retry, shadow refused}
  transformReply: (reply: unknown) => reply as number[],
});
