import type { Clock } from '../clock.ts';
import { newUserId } from '../ids.ts';
import type { AccountStore, UserRecord } from './account-store.ts';
import type { FailureThrottle } from './failure-throttle.ts';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword, type ScryptCost } from './password.ts';
import type { Session, SessionService } from './session-service.ts';

export type LoginResult =
  | { ok: true; token: string; session: Session }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

export interface LoginServiceOptions {
  accounts: AccountStore;
  sessions: SessionService;
  clock: Clock;
  byEmail: FailureThrottle;
  byAddress: FailureThrottle;
  scryptCost?: ScryptCost;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** Password login with lock-out per email and per address; every attempt lands in the audit log. */
export class LoginService {
  readonly #o: LoginServiceOptions;
  // Verified against when the email is unknown, so both paths cost one scrypt.
  #decoy: Promise<string> | undefined;

  constructor(options: LoginServiceOptions) {
    this.#o = options;
  }

  /** Creates the first user (in the default account) when there is none; true when it did. */
  async ensureFirstUser(email: string, password: string, accountId: string): Promise<boolean> {
    if ((await this.#o.accounts.userCount()) > 0) return false;
    return (await this.createUser(email, password, accountId)) !== undefined;
  }

  async createUser(email: string, password: string, accountId: string): Promise<UserRecord | undefined> {
    const passwordHash = await hashPassword(password, this.#o.scryptCost ?? DEFAULT_SCRYPT_COST);
    return this.#o.accounts.createUser(
      { id: newUserId(), accountId, email: normalizeEmail(email), passwordHash },
      this.#o.clock.now(),
    );
  }

  async login(rawEmail: string, password: string, address: string): Promise<LoginResult> {
    const email = normalizeEmail(rawEmail);
    const emailKey = `email:${email}`;
    const addressKey = `address:${address}`;
    const [byEmail, byAddress, user] = await Promise.all([
      this.#o.byEmail.retryAfterMs(emailKey),
      this.#o.byAddress.retryAfterMs(addressKey),
      this.#o.accounts.findUserByEmail(email),
    ]);
    const wait = Math.max(byEmail, byAddress);
    const audit = (action: 'login' | 'login.failed' | 'login.locked') =>
      this.#o.accounts.appendAudit({
        accountId: user?.accountId ?? null,
        actor: email.slice(0, 254),
        action,
        target: null,
        address,
        at: this.#o.clock.now(),
      });
    if (wait > 0) {
      await audit('login.locked');
      return { ok: false, reason: 'locked', retryAfterMs: wait };
    }
    this.#decoy ??= hashPassword('decoy password', this.#o.scryptCost ?? DEFAULT_SCRYPT_COST);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await this.#decoy));
    if (user === undefined || !valid) {
      const locks = await Promise.all([this.#o.byEmail.fail(emailKey), this.#o.byAddress.fail(addressKey)]);
      await audit(locks.some(Boolean) ? 'login.locked' : 'login.failed');
      return { ok: false, reason: 'invalid' };
    }
    await this.#o.byEmail.succeed(emailKey);
    await audit('login');
    return { ok: true, ...(await this.#o.sessions.start(user)) };
  }
}
