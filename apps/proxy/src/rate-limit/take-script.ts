import { TAKE_TOKENS_LUA } from '@routemcp/token-bucket-script';
import { defineScript, type CommandParser } from 'redis';

export { CONTENTION_MS } from '@routemcp/token-bucket-script';

export interface TakeArgs {
  keys: string[];
  /** The ARGV list, as strings (see TAKE_TOKENS_LUA). */
  args: string[];
}

/**
 * Registered through the client's `scripts` option: node-redis sends
 * EVALSHA and, on a NOSCRIPT reply (script cache flushed, a fresh server, a
 * replica promoted by a failover), resends the same call as EVAL by itself
 * (`_executeScript` in @redis/client), so it costs one extra round trip, not
 * an error. The first key routes the call to its slot in a cluster; all
 * keys of a plan share one hash tag.
 */
export const takeTokensScript = defineScript({
  SCRIPT: TAKE_TOKENS_LUA,
  // No fixed key count: parseCommand pushes it (plans have one bucket or several, with or without a quota).
  parseCommand(parser: CommandParser, take: TakeArgs) {
    parser.push(String(take.keys.length));
    for (const key of take.keys) parser.pushKey(key);
    parser.push(...take.args);
  },
  // Lua integers arrive as RESP integers: a plain array of numbers.
  transformReply: (reply: unknown) => reply as number[],
});
