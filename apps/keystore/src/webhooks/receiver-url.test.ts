import { describe, expect, it } from 'vitest';
import { isPublicAddress, publicLookup, urlProblem } from './receiver-url.ts';

describe('receiver URLs', () => {
  it('refuse anything but http/https, and credentials in the URL', () => {
    expect(urlProblem('ftp://example.com/x', false)).toMatch(/http/);
    expect(urlProblem('not a url', false)).toMatch(/absolute/);
    expect(urlProblem('https://user:pw@example.com/', false)).toMatch(/password/);
    expect(urlProblem('https://hooks.example.com/routemcp', false)).toBeUndefined();
    expect(urlProblem('http://93.184.215.14:8080/in', false)).toBeUndefined();
  });

  it('refuse loopback, private, link-local and ULA addresses, in every spelling, unless allowed', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://localhost:9000/',
      'http://api.localhost/',
      'http://10.2.3.4/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[fe80::1]/',
      'http://[fd12:3456::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a00:1]/',
      'http://2130706433/',
      'http://0x7f.1/',
    ]) {
      expect(urlProblem(url, false), url).toMatch(/public address/);
      expect(urlProblem(url, true), url).toBeUndefined();
    }
  });

  it('class public unicast addresses as public, and nothing else', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    expect(isPublicAddress('127.0.0.53')).toBe(false);
    expect(isPublicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isPublicAddress('not-an-ip')).toBe(false);
  });

  it('refuse, at connection time, a name that resolves to a private address', async () => {
    const error = await new Promise<Error | null>((resolve) => publicLookup('localhost', {}, (err) => resolve(err)));
    expect(error?.message).toMatch(/outside the public internet/);
  });
});
