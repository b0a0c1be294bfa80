import type { AccountStore, AuditAction } from '../accounts/account-store.ts';
import type { Role } from '../accounts/roles.ts';
import type { Clock } from '../clock.ts';
import type { KeyService } from '../keys/key-service.ts';
import { mayMint, mintManagementToken, newTokenId, type ManagementTokenRecord } from './management-token.ts';

/** Who asks: the operator (no role, every account) or a member or token of one account with its role. */
export type Minter =
  { kind: 'operator'; actor: string } | { kind: 'member'; actor: string; accountId: string; role: Role };

/** Where a change came from, for its audit row. */
export interface ChangeOrigin {
  minter: Minter;
  address: string | null;
}

export type MintResult =
  | { ok: true; token: string; record: ManagementTokenRecord }
  | { ok: false; reason: 'unknown_account' | 'role_too_high' };

export type RevokeResult =
  { ok: true; record: ManagementTokenRecord; changed: boolean } | { ok: false; reason: 'not_found' };

export interface TokenServiceDeps {
  accounts: AccountStore;
  keys: Pick<KeyService, 'defaultAccountId' | 'hasAccount'>;
  clock: Clock;
}

/**
 * What minting, listing and revoking a management token mean, once, for the
 * management API and the dashboard alike. Each change writes its audit row.
 */
export class TokenService {
  readonly #accounts: AccountStore;
  readonly #keys: Pick<KeyService, 'defaultAccountId' | 'hasAccount'>;
  readonly #clock: Clock;

  constructor(options: TokenServiceDeps) {
    this.#accounts = options.accounts;
    this.#keys = options.keys;
    this.#clock = options.clock;
  }

  /** `accountId` is the operator's choice; a member always mints in its own account. */
  async mint(
    input: { name: string; role: Role; accountId?: string | undefined },
    origin: ChangeOrigin,
  ): Promise<MintResult> {
    const { minter } = origin;
    let accountId: string;
    if (minter.kind === 'member') {
      // As POST /v1/keys: another account reads as one that does not exist.
      if (input.accountId !== undefined && input.accountId !== minter.accountId)
        return { ok: false, reason: 'unknown_account' };
      if (!mayMint(minter.role, input.role)) return { ok: false, reason: 'role_too_high' };
      accountId = minter.accountId;
    } else {
      accountId = input.accountId ?? this.#keys.defaultAccountId;
      if (!(await this.#keys.hasAccount(accountId))) return { ok: false, reason: 'unknown_account' };
    }
    const { token, hash } = mintManagementToken();
    const record: ManagementTokenRecord = {
      id: newTokenId(),
      accountId,
      name: input.name,
      role: input.role,
      hash,
      createdBy: minter.actor,
      createdAt: this.#clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.#accounts.createManagementToken(record);
    await this.#audit(origin, 'token.created', record);
    return { ok: true, token, record };
  }

  /** Undefined: every account. */
  list(accountId: string | undefined): Promise<ManagementTokenRecord[]> {
    return this.#accounts.listManagementTokens(accountId);
  }

  /** The token when `scope` may see it (undefined: any account); another account's token is not found. */
  async get(id: string, scope: string | undefined): Promise<ManagementTokenRecord | undefined> {
    const found = await this.#accounts.getManagementToken(id);
    return found === undefined || (scope !== undefined && found.accountId !== scope) ? undefined : found;
  }

  /** Revoking twice answers the same; only the first is an event. */
  async revoke(id: string, origin: ChangeOrigin): Promise<RevokeResult> {
    const scope = origin.minter.kind === 'member' ? origin.minter.accountId : undefined;
    const found = await this.get(id, scope);
    if (found === undefined) return { ok: false, reason: 'not_found' };
    const now = this.#clock.now();
    const changed = await this.#accounts.revokeManagementToken(found.id, now);
    if (changed) await this.#audit(origin, 'token.revoked', found);
    const record = (await this.#accounts.getManagementToken(found.id)) ?? { ...found, revokedAt: now };
    return { ok: true, record, changed };
  }

  #audit(origin: ChangeOrigin, action: AuditAction, token: ManagementTokenRecord): Promise<void> {
    return this.#accounts.appendAudit({
      accountId: token.accountId,
      actor: origin.minter.actor,
      action,
      target: token.id,
      address: origin.address,
      at: this.#clock.now(),
    });
  }
}
