import type { IncomingHttpHeaders } from 'node:http';

/**
 * A flat `[name, value, …]` list as a header object in first-seen order, a
 * repeated name becoming an array (sent as repeated fields), for the APIs
 * that take objects: Node's http client under the WebSocket tunnel.
 */
export function fromHeaderList(list: readonly string[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    const value = list[i + 1]!;
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else out[name] = [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return out;
}
