import type { OutgoingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { SimpleResponse } from './http-request.ts';

export interface ContractKeys {
  /** Active, with room in its bucket. */
  valid: string;
  revoked: string;
  /** Well-formed (checksum ok) but unknown to the keystore. */
  unknown: string;
  /** Active, with a bucket small enough to empty within a few requests. */
  limited: string;
}

export interface AuthContractTarget {
  /** Sends one request to a protected path with exactly these headers. */
  request(headers: OutgoingHttpHeaders): Promise<SimpleResponse>;
  /** Called inside the tests, after any setup hooks ran. */
  keys(): ContractKeys;
}

const INVALID = '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';
const LIMITED = '{"success":false,"statusCode":429,"message":"Too many requests","code":"RATE_LIMITED"}';

/**
 * The public auth contract (RouteMCP docs): the exact 401 envelope for every
 * way a key can be missing or wrong, and the 429 envelope with Retry-After.
 * Run it against every protected path, in-process or against a real stack.
 */
export function runAuthContract(target: AuthContractTarget): void {
  const expectInvalid = (res: SimpleResponse): void => {
    expect(res.status).toBe(401);
    expect(res.body).toBe(INVALID);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  };

  describe('auth contract', () => {
    it('401 without an Authorization header', async () => {
      expectInvalid(await target.request({}));
    });

    it('401 for a malformed key', async () => {
      expectInvalid(await target.request({ authorization: 'Bearer sk_live_not-a-real-key' }));
      expectInvalid(await target.request({ authorization: 'Bearer ' }));
    });

    it('401 for the Basic scheme', async () => {
      expectInvalid(
        await target.request({ authorization: `Basic ${Buffer.from(`${target.keys().valid}:`).toString('base64')}` }),
      );
    });

    it('401 for two Authorization headers, even when both are valid', async () => {
      const valid = `Bearer ${target.keys().valid}`;
      expectInvalid(await target.request({ Authorization: [valid, valid] }));
    });

    it('401 for an unknown key and for a revoked key', async () => {
      expectInvalid(await target.request({ authorization: `Bearer ${target.keys().unknown}` }));
      expectInvalid(await target.request({ authorization: `Bearer ${target.keys().revoked}` }));
    });

    it('accepts the scheme in lower case', async () => {
      const res = await target.request({ authorization: `bearer ${target.keys().valid}` });
      expect(res.status).not.toBe(401);
      expect(res.status).toBeLessThan(500);
    });

    it('429 with Retry-After once the bucket is empty', async () => {
      const authorization = `Bearer ${target.keys().limited}`;
      let res = await target.request({ authorization });
      for (let i = 0; i < 50 && res.status !== 429; i++) res = await target.request({ authorization });
      expect(res.status).toBe(429);
      expect(res.body).toBe(LIMITED);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.headers['ratelimit-remaining']).toBe('0');
    });

    it('never echoes the key in the body', async () => {
      const { valid } = target.keys();
      const res = await target.request({ authorization: `Basic ${valid}` });
      expect(res.body).not.toContain(valid);
    });
  });
}
