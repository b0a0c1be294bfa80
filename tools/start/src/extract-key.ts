import { parse } from '@routemcp/api-key';

const MAX_DEPTH = 8;

function findKey(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return undefined;
  if (!Array.isArray(value)) {
    const key = (value as Record<string, unknown>).key;
    if (typeof key === 'string' && parse(key).ok) return key;
  }
  for (const child of Object.values(value)) {
    const found = findKey(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The new key from `cli.ts create --json` output. The CLI's exact shape is
 * its own business, so this looks for a well-formed `key` field anywhere: in
 * the whole output, or in any one line of it (in case logs share stdout).
 */
export function extractKey(output: string): string | undefined {
  const candidates = [output.trim(), ...output.split('\n').map((line) => line.trim())];
  for (const candidate of candidates) {
    if (!candidate.startsWith('{') && !candidate.startsWith('[')) continue;
    const found = findKey(tryJson(candidate), 0);
    if (found !== undefined) return found;
  }
  return undefined;
}
