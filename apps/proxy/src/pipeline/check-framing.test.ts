import { describe, expect, it } from 'vitest';
import { badFraming } from './check-framing.ts';
import { readHead } from './request-head.ts';

function request(over: { version?: [number, number]; headers?: Record<string, string>; raw?: string[] } = {}) {
  const [major, minor] = over.version ?? [1, 1];
  const headers = over.headers ?? { host: 'x' };
  const rawHeaders = over.raw ?? Object.entries(headers).flat();
  return { version: { httpVersionMajor: major, httpVersionMinor: minor }, head: readHead(rawHeaders) };
}

describe('badFraming', () => {
  it.each([
    ['HTTP/1.1 with one Host', request()],
    ['HTTP/1.0 without Host', request({ version: [1, 0], headers: {} })],
    ['chunked', request({ headers: { host: 'x', 'transfer-encoding': 'chunked' } })],
    ['CHUNKED', request({ headers: { host: 'x', 'transfer-encoding': 'CHUNKED' } })],
  ])('lets %s through', (_name, req) => {
    expect(badFraming(req.version, req.head)).toBe(false);
  });

  it.each([
    ['HTTP/2.0 in a request line', request({ version: [2, 0] })],
    ['HTTP/1.2', request({ version: [1, 2] })],
    ['HTTP/0.9', request({ version: [0, 9], headers: {} })],
    ['gzip, chunked', request({ headers: { host: 'x', 'transfer-encoding': 'gzip, chunked' } })],
    ['identity', request({ headers: { host: 'x', 'transfer-encoding': 'identity' } })],
    ['chunked on HTTP/1.0', request({ version: [1, 0], headers: { 'transfer-encoding': 'chunked' } })],
    ['two Host headers', request({ raw: ['Host', 'a', 'HOST', 'b'] })],
    ['HTTP/1.1 without Host', request({ headers: {} })],
  ])('refuses %s', (_name, req) => {
    expect(badFraming(req.version, req.head)).toBe(true);
  });
});
