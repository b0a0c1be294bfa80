import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What one SSO login must find again at its callback. */
export interface FlowState {
  state: string;
  nonce: string;
  /** PKCE code verifier. */
  verifier: string;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
}

const flowSchema = z.object({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  verifier: z.string().min(43).max(128),
  expiresAt: z.number().int(),
});

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a login's state, nonce and PKCE verifier into a cookie value
 * (AES-256-GCM, key derived from the client secret): the browser carries it
 * but can neither read nor change it, and every replica can open it without
 * shared storage. The callback clears the cookie whatever happens, so one
 * browser uses it once; a copied callback still fails at the provider, which
 * takes each code once.
 */
export class FlowCookie {
  readonly #key: Buffer;

  constructor(clientSecret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', clientSecret, '', 'routemcp oidc flow cookie v1', 32));
  }

  seal(flow: FlowState): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(flow), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The flow, or undefined when the value is missing, tampered with, sealed under another secret or expired. */
  open(value: string | undefined, now: number): FlowState | undefined {
    if (value === undefined || value.length > 2048) return undefined;
    const raw = Buffer.from(value, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      const parsed = flowSchema.safeParse(JSON.parse(text.toString('utf8')));
      if (!parsed.success || now >= parsed.data.expiresAt) return undefined;
      return parsed.data;
    } catch {
      // A failed GCM tag or bad JSON: not a cookie we sealed.
      return undefined;
    }
  }
}
