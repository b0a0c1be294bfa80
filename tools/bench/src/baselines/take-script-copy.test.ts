import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const proxy = read('../../../../apps/proxy/src/rate-limit/take-script.ts');
const copy = read('./take-tokens-script.ts');

/** The source of the `LUA` template literal, as written (interpolations included). */
function luaSource(file: string): string {
  const start = file.indexOf('const LUA = `');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = file.indexOf('`;', start);
  return file.slice(start + 'const LUA = `'.length, end);
}

const contentionMs = (file: string) => /const CONTENTION_MS = ([\d_]+);/.exec(file)?.[1];

describe("the floor's take script", () => {
  it("is the proxy's, character for character", () => {
    expect(luaSource(copy)).toBe(luaSource(proxy));
  });

  it('with the same contention window', () => {
    expect(contentionMs(proxy)).toBeDefined();
    expect(contentionMs(copy)).toBe(contentionMs(proxy));
  });
});
