export { CONTENTION_MS, TAKE_TOKENS_LUA } from './take-tokens-lua.ts';
