import { describe, expect, it } from 'vitest';
import { errorCatalog } from './codes.ts';
import { errorBody, errorEnvelope, successEnvelope } from './envelope.ts';

describe('errorBody', () => {
  it('is the RouteMCP docs envelope byte-for-byte for a bad key', () => {
    expect(errorBody('INVALID_API_KEY')).toBe(
      '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}',
    );
  });

  it('carries the catalogue status for every code', () => {
    for (const [code, entry] of Object.entries(errorCatalog)) {
      const parsed = JSON.parse(errorBody(code as keyof typeof errorCatalog));
      expect(parsed).toEqual({ success: false, statusCode: entry.statusCode, message: entry.message, code });
    }
  });

  it('keeps a custom message and the field order', () => {
    expect(Object.keys(errorEnvelope('BAD_REQUEST', 'environment is required'))).toEqual([
      'success',
      'statusCode',
      'message',
      'code',
    ]);
    expect(errorBody('BAD_REQUEST', 'environment is required')).toContain('"message":"environment is required"');
  });

  it('has the statuses the contract names', () => {
    expect(errorCatalog.RATE_LIMITED).toEqual({ statusCode: 429, message: 'Too many requests' });
    expect(errorCatalog.AUTH_UNAVAILABLE.statusCode).toBe(503);
    expect(errorCatalog.UPSTREAM_UNAVAILABLE.statusCode).toBe(502);
    expect(errorCatalog.UPSTREAM_TIMEOUT.statusCode).toBe(504);
    expect(errorCatalog.PAYLOAD_TOO_LARGE.statusCode).toBe(413);
    expect(errorCatalog.HEADERS_TOO_LARGE.statusCode).toBe(431);
  });
});

describe('successEnvelope', () => {
  it('wraps data', () => {
    expect(JSON.stringify(successEnvelope([1]))).toBe('{"success":true,"data":[1]}');
  });
});
