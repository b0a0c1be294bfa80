import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { AccountStore, UserRecord } from './account-store.ts';

export interface SessionServiceOptions {
  store: AccountStore;
  clock: Clock;
  /** Absolute lifetime. */
  ttlMs: number;
  /** Ends a session nobody used for this long. */
  idleMs: number;
}

/** What a request learns from a valid session cookie. */
export interface Session {
  idHash: string;
  user: UserRecord;
  csrfToken: string;
  expiresAt: number;
}

// last_seen_at is written at most this often, so browsing is not one write per page.
const TOUCH_EVERY_MS = 60_000;

/** Server-side sessions: the cookie holds 256 random bits, the database only their SHA-256. */
export class SessionService {
  readonly #options: SessionServiceOptions;

  constructor(options: SessionServiceOptions) {
    this.#options = options;
  }

  async start(user: UserRecord): Promise<{ token: string; session: Session }> {
    const now = this.#options.clock.now();
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      idHash: digest(token),
      user,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + this.#options.ttlMs,
    };
    await this.#options.store.createSession({
      idHash: session.idHash,
      userId: user.id,
      csrfToken: session.csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: session.expiresAt,
    });
    return { token, session };
  }

  /** The live session for a cookie value; an expired or idle one is deleted and undefined. */
  async resolve(token: string): Promise<Session | undefined> {
    if (token.length === 0 || token.length > 100) return undefined;
    const idHash = digest(token);
    const found = await this.#options.store.findSession(idHash);
    if (found === undefined) return undefined;
    const now = this.#options.clock.now();
    if (now >= found.expiresAt || now - found.lastSeenAt >= this.#options.idleMs) {
      await this.#options.store.deleteSession(idHash);
      return undefined;
    }
    if (now - found.lastSeenAt >= TOUCH_EVERY_MS) await this.#options.store.touchSession(idHash, now);
    return { idHash, user: found.user, csrfToken: found.csrfToken, expiresAt: found.expiresAt };
  }

  end(idHash: string): Promise<void> {
    return this.#options.store.deleteSession(idHash);
  }

  deleteExpired(): Promise<number> {
    return this.#options.store.deleteExpiredSessions(this.#options.clock.now());
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
