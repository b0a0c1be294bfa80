import { ScryptHasher, type PasswordCheck, type PasswordHasher } from '../accounts/password.ts';
import { CHEAP_SCRYPT } from './keystore-harness.ts';

/**
 * A password hasher for tests: counts the checks that reach scrypt, and while
 * held, keeps each one waiting until `letGo()` (so a test can fill the
 * concurrency cap and look at what happens past it).
 */
export class CountingHasher implements PasswordHasher {
  readonly #inner: PasswordHasher;
  #verifies = 0;
  #held: PromiseWithResolvers<void> | undefined;
  readonly #waiting: Array<{ count: number; reached: () => void }> = [];

  constructor(inner: PasswordHasher = new ScryptHasher(CHEAP_SCRYPT)) {
    this.#inner = inner;
  }

  /** Password checks started so far. */
  get verifies(): number {
    return this.#verifies;
  }

  hold(): void {
    this.#held ??= Promise.withResolvers<void>();
  }

  letGo(): void {
    this.#held?.resolve();
    this.#held = undefined;
  }

  /** Resolves once `count` checks have started. */
  started(count: number): Promise<void> {
    if (this.#verifies >= count) return Promise.resolve();
    return new Promise((reached) => this.#waiting.push({ count, reached }));
  }

  hash(password: string): Promise<string> {
    return this.#inner.hash(password);
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    this.#verifies++;
    for (const waiter of this.#waiting.filter((w) => w.count <= this.#verifies)) {
      this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
      waiter.reached();
    }
    if (this.#held !== undefined) await this.#held.promise;
    return this.#inner.verify(password, stored);
  }
}
