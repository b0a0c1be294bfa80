import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, webhookPayloadSchema } from './webhook-events.ts';

const data = {
  id: 'key_3hV9cM0XzRk2aQpL7sWbYt1E',
  name: null,
  environment: 'live',
  hint: 'sk_live_…a1B2',
  accountId: 'acct_1',
  ownerId: 'cust_7',
  actor: 'operator',
};

describe('webhookPayloadSchema', () => {
  it('reads every event type, keeping fields an event adds to data', () => {
    for (const type of WEBHOOK_EVENT_TYPES) {
      const body = { type, timestamp: '2026-12-07T04:00:00.000Z', data: { ...data, successorId: 'key_x' } };
      expect(webhookPayloadSchema.parse(body)).toEqual(body);
    }
  });

  it('refuses an unknown type and a body without the key it is about', () => {
    expect(
      webhookPayloadSchema.safeParse({ type: 'key.deleted', timestamp: '2026-12-07T04:00:00Z', data }).success,
    ).toBe(false);
    expect(
      webhookPayloadSchema.safeParse({ type: 'key.created', timestamp: '2026-12-07T04:00:00Z', data: {} }).success,
    ).toBe(false);
  });
});
