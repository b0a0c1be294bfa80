import type { Clock } from '../clock.ts';
import { newUserId } from '../ids.ts';
import type { AccountStore, AuditAction, UserRecord } from './account-store.ts';
import type { Role } from './roles.ts';
import type { ConcurrencyGate } from './concurrency-gate.ts';
import type { FailureThrottle } from './failure-throttle.ts';
import type { PasswordHasher } from './password.ts';
import type { Session, SessionService } from './session-service.ts';

/** How long a login turned away at the concurrency cap is told to wait: the checks ahead of it take well under it. */
export const BUSY_RETRY_MS = 1000;

export type LoginResult =
  | { ok: true; token: string; session: Session }
  | { ok: false; reason: 'invalid' }
  /** Too many failures for this email from this address, or from this address: refused without a check. */
  | { ok: false; reason: 'locked'; retryAfterMs: number }
  /** Every password-check place is taken: refused at once, nothing checked or counted. */
  | { ok: false; reason: 'busy'; retryAfterMs: number };

export interface LoginServiceOptions {
  accounts: AccountStore;
  sessions: SessionService;
  clock: Clock;
  /** Counts misses per email *and* address: a stranger's misses do not lock the member out from elsewhere. */
  byEmail: FailureThrottle;
  byAddress: FailureThrottle;
  passwords: PasswordHasher;
  /** Caps the password checks (scrypt) running at once in this process. */
  checks: ConcurrencyGate;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

type Check = { valid: false } | { valid: true; upgraded: string | undefined };

/**
 * Password login with lock-out per email from one address and per address;
 * every attempt that is checked or refused for a lock lands in the audit log.
 *
 * The email's count is kept per address (docs/security.md): five misses from
 * an attacker's address lock that email from that address only, so someone
 * who types wrong passwords every 15 minutes no longer locks the member out
 * for good. The looser per-address count still bounds one address's guesses
 * across every email.
 *
 * Each attempt takes its slot in both lock-out counts (atomically, in the
 * database) before its password is checked, and keeps it when the check
 * fails: however many attempts arrive at once, on however many replicas, at
 * most the limit are checked per window. A success gives its slots back.
 */
export class LoginService {
  readonly #o: LoginServiceOptions;
  // Verified against when the email is unknown, so both paths cost one scrypt.
  #decoy: Promise<string> | undefined;

  constructor(options: LoginServiceOptions) {
    this.#o = options;
  }

  /** Creates the first user (in the default account, its owner) when there is none; true when it did. */
  async ensureFirstUser(email: string, password: string, accountId: string): Promise<boolean> {
    if ((await this.#o.accounts.userCount()) > 0) return false;
    return (await this.createUser(email, password, accountId)) !== undefined;
  }

  async createUser(
    email: string,
    password: string,
    accountId: string,
    role: Role = 'owner',
  ): Promise<UserRecord | undefined> {
    const passwordHash = await this.#o.passwords.hash(password);
    return this.#o.accounts.createUser(
      { id: newUserId(), accountId, email: normalizeEmail(email), passwordHash, role },
      this.#o.clock.now(),
    );
  }

  async login(rawEmail: string, password: string, address: string): Promise<LoginResult> {
    // Turned away before any database work: a flood past the cap costs nothing but this check.
    if (this.#o.checks.full) return { ok: false, reason: 'busy', retryAfterMs: BUSY_RETRY_MS };
    const email = normalizeEmail(rawEmail);
    const emailKey = `email:${email}|${address}`;
    const addressKey = `address:${address}`;
    const { byEmail, byAddress } = this.#o;
    const [emailSlot, user] = await Promise.all([byEmail.reserve(emailKey), this.#o.accounts.findUserByEmail(email)]);
    const audit = (action: AuditAction) =>
      this.#o.accounts.appendAudit({
        accountId: user?.accountId ?? null,
        actor: email.slice(0, 254),
        action,
        target: null,
        address,
        at: this.#o.clock.now(),
      });
    if (!emailSlot.ok) {
      await audit('login.locked');
      return { ok: false, reason: 'locked', retryAfterMs: emailSlot.retryAfterMs };
    }
    const addressSlot = await byAddress.reserve(addressKey);
    if (!addressSlot.ok) {
      await byEmail.release(emailKey);
      await audit('login.locked');
      return { ok: false, reason: 'locked', retryAfterMs: addressSlot.retryAfterMs };
    }

    const check = await this.#check(password, user?.passwordHash);
    if (check === 'busy') {
      await Promise.all([byEmail.release(emailKey), byAddress.release(addressKey)]);
      return { ok: false, reason: 'busy', retryAfterMs: BUSY_RETRY_MS };
    }
    if (user === undefined || !check.valid) {
      // The slots stay taken: they are the recorded failure.
      await audit(emailSlot.locks || addressSlot.locks ? 'login.locked' : 'login.failed');
      return { ok: false, reason: 'invalid' };
    }
    // A success forgets the email's misses (as before) and gives back only its own slot at the address.
    await Promise.all([byEmail.clear(emailKey), byAddress.release(addressKey)]);
    if (check.upgraded !== undefined) {
      await this.#o.accounts.replacePasswordHash(user.id, user.passwordHash, check.upgraded);
    }
    await Promise.all([audit('login'), this.#o.accounts.recordLogin(user.id, this.#o.clock.now())]);
    return { ok: true, ...(await this.#o.sessions.start(user)) };
  }

  /** The scrypt work, in one of the capped places: the check, and the new hash when the stored one is weaker. */
  async #check(password: string, stored: string | undefined): Promise<Check | 'busy'> {
    const leave = this.#o.checks.tryEnter();
    if (leave === undefined) return 'busy';
    try {
      this.#decoy ??= this.#o.passwords.hash('decoy password');
      const result = await this.#o.passwords.verify(password, stored ?? (await this.#decoy));
      if (!result.valid) return { valid: false };
      return { valid: true, upgraded: result.rehash ? await this.#o.passwords.hash(password) : undefined };
    } finally {
      leave();
    }
  }
}
