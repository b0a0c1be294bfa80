import type { IncomingHttpHeaders } from 'node:http';

/** A header object as the raw `[name, value, …]` list a client would send (array values as repeated fields). */
export function toRawHeaders(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (typeof value === 'string') raw.push(name, value);
    else for (const one of value) raw.push(name, one);
  }
  return raw;
}

export { fromHeaderList } from '../upstream/index.ts';
