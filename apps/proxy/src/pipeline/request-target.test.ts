import { describe, expect, it } from 'vitest';
import { toOriginForm } from './request-target.ts';

function target(url: string) {
  const req = { url };
  const head: { host: string | undefined } = { host: 'proxy.local:5001' };
  const ok = toOriginForm(req, head);
  return { ok, url: req.url, host: head.host };
}

describe('toOriginForm', () => {
  it('leaves origin-form alone', () => {
    expect(target('/api/v1/contacts?provider=hubspot')).toEqual({
      ok: true,
      url: '/api/v1/contacts?provider=hubspot',
      host: 'proxy.local:5001',
    });
  });

  it.each([
    ['http://api.example/api/v1/contacts?provider=hubspot', '/api/v1/contacts?provider=hubspot', 'api.example'],
    ['HTTP://API.example:8080/a/../b', '/a/../b', 'API.example:8080'],
    ['https://api.example', '/', 'api.example'],
    ['http://api.example?x=1', '/?x=1', 'api.example'],
    ['http://[::1]:5001/healthz', '/healthz', '[::1]:5001'],
  ])('turns absolute-form %s into origin-form, its authority becoming Host', (url, path, host) => {
    expect(target(url)).toEqual({ ok: true, url: path, host });
  });

  it.each([
    'api/v1/contacts',
    '',
    'ftp://api.example/x',
    'http://user:pass@api.example/x',
    'http://@api.example/x',
    'http:///x',
    'http://api.example:99999999/x',
    'http://api example/x',
    'http://a\\b/x',
    'http://api.example/x#fragment',
    // Asterisk-form names no path a permission could cover, for OPTIONS too.
    '*',
  ])('refuses the target %j and leaves the request untouched', (url) => {
    expect(target(url)).toEqual({ ok: false, url, host: 'proxy.local:5001' });
  });
});
