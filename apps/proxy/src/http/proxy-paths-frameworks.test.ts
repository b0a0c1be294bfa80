import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { pathPart, plainPathProblem } from '@routemcp/internal-api/testing';
import express from 'express';
import fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';

/**
 * Real routers behind the proxy: whatever path a GET-only key with
 * `GET /public/**` and `GET /api/v1/contacts` gets through must reach, on
 * Express 5, fastify and a `new URL(req.url, base)` server alike, the
 * handler its permission named, and nothing else.
 */
const key = makeTestKey('live').key;
const PERMISSIONS = ['GET /public/**', 'GET /api/v1/contacts'];

type Handler = 'contacts' | 'public' | 'other';
/** The handler a permission names for a path, by the permissions above; null: none allows it. */
const named = (path: string): Handler | null =>
  path === '/api/v1/contacts' ? 'contacts' : path === '/public' || path.startsWith('/public/') ? 'public' : null;

interface Routed {
  handler: Handler;
  /** The target as that upstream's server received it. */
  url: string;
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function expressUpstream(): Server {
  const app = express();
  const answer = (handler: Handler) => (req: express.Request, res: express.Response) =>
    void res.json({ handler, url: req.originalUrl } satisfies Routed);
  app.get('/api/v1/contacts', answer('contacts'));
  app.get(['/public', '/public/*rest'], answer('public'));
  app.use(answer('other'));
  return createServer(app);
}

function fastifyUpstream(): FastifyInstance {
  const app = fastify();
  app.get('/api/v1/contacts', async (req) => ({ handler: 'contacts', url: req.raw.url ?? '' }) satisfies Routed);
  app.get('/public', async (req) => ({ handler: 'public', url: req.raw.url ?? '' }) satisfies Routed);
  app.get('/public/*', async (req) => ({ handler: 'public', url: req.raw.url ?? '' }) satisfies Routed);
  app.setNotFoundHandler(async (req) => ({ handler: 'other', url: req.raw.url ?? '' }) satisfies Routed);
  return app;
}

/** Our own apps/api reads the target this way. */
function whatwgUpstream(): Server {
  return createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    const handler: Handler =
      pathname === '/api/v1/contacts'
        ? 'contacts'
        : pathname === '/public' || pathname.startsWith('/public/')
          ? 'public'
          : 'other';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ handler, url: req.url ?? '' } satisfies Routed));
  });
}

const upstreams: { name: string; proxy: ProxyHarness; close(): Promise<void> }[] = [];

beforeAll(async () => {
  const express5 = expressUpstream();
  const fast = fastifyUpstream();
  const whatwg = whatwgUpstream();
  const started: [string, string, () => Promise<void>][] = [
    ['express 5', await listening(express5), () => new Promise((resolve) => express5.close(() => resolve()))],
    ['fastify', await fast.listen({ port: 0, host: '127.0.0.1' }), () => fast.close()],
    ['new URL()', await listening(whatwg), () => new Promise((resolve) => whatwg.close(() => resolve()))],
  ];
  for (const [name, url, close] of started) {
    const proxy = await startProxy({ upstreamUrl: url });
    proxy.verifier.add(key, { environment: 'live', permissions: PERMISSIONS });
    upstreams.push({
      name,
      proxy,
      async close() {
        await proxy.close();
        await close();
      },
    });
  }
});
afterAll(async () => {
  for (const upstream of upstreams.splice(0)) await upstream.close();
});

const SEGMENTS = [
  'api',
  'v1',
  'contacts',
  'admin',
  'public',
  '.',
  '..',
  '..;',
  '.;',
  '',
  '%2e',
  '%2E%2e',
  '%2F',
  '%2f',
  '%5C',
  ';x',
  'contacts;x',
  '..%3B',
  'a%20b',
  '%61pi',
  '%252e',
  'x.',
];
const target = fc
  .tuple(
    fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 7 }),
    fc.constantFrom('', '?', '?q=1', '?next=/../admin'),
  )
  .map(([segments, query]) => `/${segments.join('/')}${query}`);

/** A refusal in our envelope (an upstream's own 400 would not be JSON of this shape). */
function refusedHere(status: number, body: string): boolean {
  if (status !== 400 && status !== 403) return false;
  const envelope = JSON.parse(body) as { success?: boolean; code?: string };
  return envelope.success === false && envelope.code === (status === 400 ? 'BAD_REQUEST' : 'FORBIDDEN');
}

describe('the forwarded path routes to the handler the permission named', () => {
  it('on Express 5, fastify and new URL(), for generated hostile paths', async () => {
    await fc.assert(
      fc.asyncProperty(target, async (path) => {
        for (const { name, proxy } of upstreams) {
          const res = await sendRequest(proxy.url, { path, headers: { authorization: `Bearer ${key}` } });
          if (refusedHere(res.status, res.body)) continue;
          const routed = JSON.parse(res.body) as Routed;
          const received = pathPart(routed.url);
          expect({ upstream: name, sent: path, status: res.status, plain: plainPathProblem(routed.url) }).toEqual({
            upstream: name,
            sent: path,
            status: 200,
            plain: null,
          });
          expect({ upstream: name, sent: path, received, handler: routed.handler }).toEqual({
            upstream: name,
            sent: path,
            received,
            handler: named(received),
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the issue’s own examples: refused, or routed as checked', async () => {
    for (const { name, proxy } of upstreams) {
      for (const path of ['//public/api/v1/contacts', '/api/v1/admin/../contacts', '/api/v1/deals/..;/contacts']) {
        const res = await sendRequest(proxy.url, { path, headers: { authorization: `Bearer ${key}` } });
        if (refusedHere(res.status, res.body)) continue;
        const routed = JSON.parse(res.body) as Routed;
        expect({ upstream: name, path, handler: routed.handler }).toEqual({
          upstream: name,
          path,
          handler: named(pathPart(routed.url)),
        });
      }
    }
  });
});
