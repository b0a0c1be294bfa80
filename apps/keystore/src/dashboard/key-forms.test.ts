import { describe, expect, it } from 'vitest';
import { parseEditForm, parseNewKeyForm, parseRollForm } from './key-forms.ts';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe('dashboard key forms', () => {
  it('a new key needs only the environment; empty fields are null', () => {
    expect(parseNewKeyForm(form({ environment: 'test', name: ' ', capacity: '', refill: '' }))).toEqual({
      ok: true,
      value: { environment: 'test', name: null, rateLimit: null },
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
    expect(parseEditForm(form({ name: 'billing', capacity: '50', refill: '2.5' }))).toEqual({
      ok: true,
      value: { name: 'billing', rateLimit: { capacity: 50, refillPerSecond: 2.5 } },
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
});
