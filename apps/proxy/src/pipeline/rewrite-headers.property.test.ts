import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHeaderList, toRawHeaders } from '../testing/header-lists.ts';
import { readHead } from './request-head.ts';
import { upstreamHeaders, type Identity } from './rewrite-headers.ts';

/** The upstream's header list for `incoming` from peer 10.0.0.7, as an object. */
function rewritten(incoming: IncomingHttpHeaders, who: Identity | null): IncomingHttpHeaders {
  const rawHeaders = toRawHeaders(incoming);
  return fromHeaderList(
    upstreamHeaders({ rawHeaders, head: readHead(rawHeaders), clientAddress: '10.0.0.7' }, who, 'req-1', false),
  );
}

const identity: Identity = { id: 'key_real', accountId: 'acct_real', environment: 'test' };
const OURS = ['x-routemcp-key-id', 'x-routemcp-account-id', 'x-routemcp-environment'];
/** Never forwarded. Transfer-Encoding among them: Node decoded it, the upstream client frames its own body. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'expect',
  'transfer-encoding',
];
/** Another method or route than the request line's (method-override, IIS, nginx/Traefik forward-auth). */
const OVERRIDES = [
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  'x-original-method',
  'x-forwarded-uri',
  'x-forwarded-method',
];
/** Framing and routing: a Connection header cannot nominate these away. */
const KEPT_WHEN_NOMINATED = ['host', 'content-length'];

/** `-` and `_` are one character to many upstream stacks (CGI, WSGI, Rack). */
const normal = (header: string) => header.toLowerCase().replaceAll('_', '-');
const respell = (header: string) =>
  fc
    .array(fc.boolean(), { minLength: header.length, maxLength: header.length })
    .map((flags) => [...header].map((c, i) => (c === '-' && flags[i] ? '_' : c)).join(''));

/** Node hands the proxy lower-cased names; underscores survive. */
const headerName = fc.oneof(
  fc.constantFrom(...OURS, 'x-routemcp-anything', 'authorization', 'forwarded', 'x-request-id').chain(respell),
  fc.constantFrom('x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'proxy-authorization').chain(respell),
  fc.constantFrom(...HOP_BY_HOP, ...KEPT_WHEN_NOMINATED).chain(respell),
  fc.constantFrom(...OVERRIDES).chain(respell),
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/),
);
const headerValue = fc.string({ maxLength: 20 });
const headerSet = fc
  .tuple(fc.dictionary(headerName, headerValue, { maxKeys: 12 }), fc.array(headerName, { maxLength: 6 }))
  .map(([headers, nominated]): IncomingHttpHeaders => {
    const out: IncomingHttpHeaders = { ...headers };
    if (nominated.length > 0) out.connection = ['close', ...nominated].join(', ');
    return out;
  });

// CPU-bound: the bound is the run count, not the clock. 2 000 cases take ~2 s on an idle machine and
// took 11.5 and 19.3 s with both cores busy, past the default 10 s; this outer bound only catches a hang.
describe('upstreamHeaders properties', { timeout: 120_000 }, () => {
  it('forwards no credential, no foreign identity, no override, no hop-by-hop or nominated header, and always our identity', () => {
    fc.assert(
      fc.property(headerSet, fc.boolean(), (incoming, withIdentity) => {
        const nominated = new Set((incoming.connection ?? '').split(',').map((n) => normal(n.trim())));
        const out = rewritten(incoming, withIdentity ? identity : null);
        for (const header of Object.keys(out)) {
          const n = normal(header);
          expect(n).not.toBe('authorization');
          expect(n).not.toBe('forwarded');
          expect(n.startsWith('proxy-')).toBe(false);
          expect(HOP_BY_HOP).not.toContain(n);
          expect(OVERRIDES).not.toContain(n);
          if (n.startsWith('x-routemcp-')) expect(withIdentity && OURS.includes(header)).toBe(true);
          if (n.startsWith('x-forwarded-') || n === 'x-request-id') expect(header).toBe(n);
          if (nominated.has(n) && !KEPT_WHEN_NOMINATED.includes(header)) {
            expect([...OURS, 'x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']).toContain(
              header,
            );
          }
        }
        expect(out['x-request-id']).toBe('req-1');
        expect(out['x-forwarded-for']).toBe('10.0.0.7');
        expect(out['x-forwarded-proto']).toBe('http');
        expect(out['x-forwarded-host']).toBe(incoming.host);
        if (withIdentity) {
          expect(out).toMatchObject({
            'x-routemcp-key-id': 'key_real',
            'x-routemcp-account-id': 'acct_real',
            'x-routemcp-environment': 'test',
          });
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('passes every other header through untouched', () => {
    fc.assert(
      fc.property(headerSet, (incoming) => {
        const out = rewritten(incoming, identity);
        const nominated = new Set((incoming.connection ?? '').split(',').map((n) => normal(n.trim())));
        for (const [header, value] of Object.entries(incoming)) {
          const n = normal(header);
          const special =
            n !== header ||
            HOP_BY_HOP.includes(n) ||
            OVERRIDES.includes(n) ||
            ['authorization', 'forwarded', 'x-request-id'].includes(n) ||
            /^(x-routemcp-|x-forwarded-|proxy-)/.test(n) ||
            (nominated.has(n) && !KEPT_WHEN_NOMINATED.includes(n));
          if (!special) expect(out[header]).toBe(value);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
