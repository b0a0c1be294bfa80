import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes at or above it would favour the first 8 characters.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const newKeyId = (): string => `key_${randomBase62(24)}`;
export const newAccountId = (): string => `acct_${randomBase62(16)}`;
/** Names one database's event log; a proxy holding another epoch's event id must flush. */
export const newEpoch = (): string => randomBase62(16);

export const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const KEY_ID = /^key_[0-9A-Za-z]{24}$/;
export const newUserId = (): string => `user_${randomBase62(16)}`;
export const newInvitationId = (): string => `inv_${randomBase62(16)}`;
export const newWebhookId = (): string => `wh_${randomBase62(24)}`;
/** A webhook event's id, the `webhook-id` header of every attempt of it. */
export const newEventId = (): string => `msg_${randomBase62(24)}`;
export const newDeliveryId = (): string => `dlv_${randomBase62(24)}`;
export const WEBHOOK_ID = /^wh_[0-9A-Za-z]{24}$/;
