import { describe, expect, it } from 'vitest';
import { parseContactQuery } from './contact-query.ts';

const parse = (search: string) => parseContactQuery(new URLSearchParams(search));

describe('parseContactQuery', () => {
  it('accepts each provider', () => {
    for (const provider of ['hubspot', 'salesforce', 'pipedrive']) {
      expect(parse(`provider=${provider}`)).toEqual({ ok: true, query: { provider, limit: undefined, q: undefined } });
    }
  });

  it('requires a provider', () => {
    const expected = { ok: false, message: 'provider is required (hubspot, salesforce or pipedrive)' };
    expect(parse('')).toEqual(expected);
    expect(parse('provider=')).toEqual(expected);
  });

  it('names an unknown provider', () => {
    expect(parse('provider=zoho')).toEqual({
      ok: false,
      message: 'unknown provider "zoho": use hubspot, salesforce or pipedrive',
    });
  });

  it('does not repeat back long or odd provider values', () => {
    const result = parse(`provider=${'x'.repeat(40)}`);
    expect(result).toEqual({ ok: false, message: 'unknown provider: use hubspot, salesforce or pipedrive' });
    expect(parse('provider=<script>')).toEqual(result);
  });

  it('reads limit and q', () => {
    expect(parse('provider=hubspot&limit=2&q=%20Maya%20')).toEqual({
      ok: true,
      query: { provider: 'hubspot', limit: 2, q: 'Maya' },
    });
  });

  it.each(['0', '101', '-1', '2.5', 'ten', ''])('rejects limit=%s', (limit) => {
    expect(parse(`provider=hubspot&limit=${limit}`)).toEqual({
      ok: false,
      message: 'limit must be an integer between 1 and 100',
    });
  });
});
