import { randomBytes } from 'node:crypto';

/** 32 random bytes (Standard Webhooks asks for 24 to 64), as the `whsec_` + base64 form its libraries read. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
