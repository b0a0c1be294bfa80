import { describe, expect, it } from 'vitest';
import { NO_POLICIES } from '../keys/key-record.ts';
import { parseEditForm, parseNewKeyForm, parseRollForm } from './key-forms.ts';
import { policyFormValues } from './policy-form.ts';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const settings = (fields: object) => ({ name: null, rateLimit: null, ...NO_POLICIES, ...fields });

describe('dashboard key forms', () => {
  it('a new key needs only the environment; empty fields are null', () => {
    expect(
      parseNewKeyForm(form({ environment: 'test', name: ' ', capacity: '', refill: '', permissions: '\n \n' })),
    ).toEqual({
      ok: true,
      value: {
        environment: 'test',
        settings: settings({}),
        lines: { permissions: [], allowedIps: [], rateLimits: [] },
      },
    });
  });

  it('names the form field in validation messages', () => {
    expect(parseNewKeyForm(form({ environment: 'prod' }))).toEqual({
      ok: false,
      error: 'Environment: expected "live" or "test"',
    });
    expect(parseNewKeyForm(form({ environment: 'live', capacity: '0', refill: '1' }))).toEqual({
      ok: false,
      error: 'Burst: expected an integer 1..1000000',
    });
    expect(parseEditForm(form({ name: 'x', capacity: '5' }))).toEqual({
      ok: false,
      error: 'Rate limit: fill in both burst and refill, or neither.',
    });
  });

  it('edits name and limits', () => {
    expect(parseEditForm(form({ name: 'billing', capacity: '50', refill: '2.5' }))).toMatchObject({
      ok: true,
      value: { settings: settings({ name: 'billing', rateLimit: { capacity: 50, refillPerSecond: 2.5 } }) },
    });
  });

  it('maps roll grace choices to seconds', () => {
    expect(parseRollForm(form({ grace: '0' }))).toEqual({ ok: true, value: 0 });
    expect(parseRollForm(form({ grace: '3600' }))).toEqual({ ok: true, value: 3600 });
    expect(parseRollForm(form({ grace: '86400' }))).toEqual({ ok: true, value: 86_400 });
    expect(parseRollForm(form({ grace: 'custom', customHours: '1.5' }))).toEqual({ ok: true, value: 5400 });
    expect(parseRollForm(form({ grace: 'custom', customHours: '500' }))).toEqual({
      ok: false,
      error: 'Custom grace period: expected 0 to 168 hours',
    });
    expect(parseRollForm(form({ grace: '999' })).ok).toBe(false);
  });

  it('reads every policy control: lists one per line, buckets as "name burst refill [shared] [shadow]", JSON metadata', () => {
    const fields = {
      ownerId: ' cust_42 ',
      permissions: 'get /api/v1/contacts\r\n\r\n* /api/v1/deals/**\n',
      allowedIps: '10.0.0.0/8\n2001:DB8::/32',
      rateLimits: 'burst 10 5\nowner 1000 0.5 shared shadow',
      quotaLimit: '1000',
      quotaPeriod: 'month',
      quotaShared: 'on',
      metadata: '{"plan": "pro"}',
    };
    const policies = {
      ownerId: 'cust_42',
      permissions: ['GET /api/v1/contacts', '* /api/v1/deals/**'],
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
      rateLimits: [
        { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
        { name: 'owner', capacity: 1000, refillPerSecond: 0.5, shared: true, shadow: true },
      ],
      quota: { limit: 1000, period: 'month' as const, shared: true },
      metadata: { plan: 'pro' },
    };
    expect(parseEditForm(form(fields))).toMatchObject({ ok: true, value: { settings: settings(policies) } });
    // What the edit form shows for a key reads back as the same key.
    const shown = policyFormValues(policies);
    expect(parseEditForm(form(shown as Record<string, string>))).toMatchObject({
      ok: true,
      value: { settings: settings(policies) },
    });
  });

  it.each([
    [{ permissions: 'GET /a\n\nGET b' }, 'Permissions, line 3: the path must start with /'],
    [
      { allowedIps: '10.0.0.1\nlocalhost' },
      'Allowed IP addresses, line 2: "localhost" is not an IPv4/IPv6 address or CIDR',
    ],
    [
      { rateLimits: 'burst 10' },
      'Rate limit buckets, line 1: expected "name burst refill-per-second [shared] [shadow]"',
    ],
    [{ rateLimits: 'a 1 1\nb 0 1' }, 'Rate limit buckets, line 2 (capacity): expected an integer 1..1000000'],
    [
      { rateLimits: 'a 1 1 loud' },
      'Rate limit buckets, line 1: expected "name burst refill-per-second [shared] [shadow]"',
    ],
    [{ ownerId: 'a b' }, 'Owner: expected 1-64 characters from A-Z a-z 0-9 . _ : @ -'],
    [{ quotaLimit: '0', quotaPeriod: 'day' }, 'Quota limit: expected an integer 1..1000000000000'],
    [{ quotaLimit: '5', quotaPeriod: 'week' }, 'Quota period: expected "day", "month" or "total"'],
    [{ metadata: '{plan: pro}' }, 'Metadata: expected a JSON object, e.g. {"plan": "pro"}'],
    [{ metadata: '[1]' }, 'Metadata: expected a JSON object of at most 1024 bytes, or null'],
  ])('names the control and the line: %j', (fields, error) => {
    expect(parseEditForm(form(fields))).toEqual({ ok: false, error });
  });
});
