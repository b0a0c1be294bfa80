import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HttpError } from '@routemcp/errors';
import { pino } from 'pino';
import type { Clock } from '../clock.ts';
import { ConfigError, resolveDatabase } from '../config.ts';
import { createKeySchema, futureTime, parseInput, patchKeySchema, rollKeySchema } from '../keys/key-input.ts';
import type { StoredKey } from '../keys/key-record.ts';
import { toKeyDetail, toKeyView } from '../keys/key-view.ts';
import { KeyService } from '../keys/key-service.ts';
import { openStorage } from '../store/open-storage.ts';
import type { AuditAction } from '../accounts/account-store.ts';
import { formatTable } from './format-table.ts';
import { HELP, USAGE } from './help.ts';
import { printIssued, settingLines } from './print-key.ts';
import { clearedBody, flagNames, settingsBody, SETTING_OPTIONS, UsageError, type Flags } from './key-flags.ts';

export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  clock: Clock;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const OPTIONS = {
  create: {
    env: { type: 'string' },
    account: { type: 'string' },
    'expires-at': { type: 'string' },
    ...SETTING_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  update: {
    ...SETTING_OPTIONS,
    clear: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  list: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  revoke: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  roll: {
    'grace-seconds': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
} as const satisfies Record<string, ParseArgsConfig['options']>;

type Command = keyof typeof OPTIONS;

// The CLI speaks through stdout/stderr; the storage's own warnings are not for the operator's terminal.
const silent = pino({ level: 'silent' });

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof HttpError ||
      error instanceof ConfigError ||
      isParseArgsError(error)
    ) {
      io.stderr(`error: ${flagNames((error as Error).message)}\n`);
      return 1;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 1 : 0;
  }
  if (!Object.hasOwn(OPTIONS, name))
    throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(OPTIONS).join(', ')})`);
  const command = name as Command;
  const { values, positionals } = parseArgs({
    args: [...rest],
    options: OPTIONS[command],
    allowPositionals: true,
    strict: true,
  });
  const flags = values as Flags;
  if (flags.help === true) {
    io.stdout(HELP[command] ?? USAGE);
    return 0;
  }
  const json = flags.json === true;

  // Same variables as the server: KEYSTORE_DATABASE_URL (PostgreSQL) or KEYSTORE_DB (SQLite).
  const storage = await openStorage(resolveDatabase(io.env, io.cwd), {
    now: io.clock.now(),
    logger: silent,
    listen: false,
  });
  try {
    const keys = new KeyService({ store: storage.keys, clock: io.clock, actor: 'cli' });
    const { accounts } = storage;
    // Changes made from the shell show in the dashboard's audit log like any other.
    const audit: Audit = (action, key) =>
      accounts.appendAudit({
        accountId: key.accountId,
        actor: 'cli',
        action,
        target: key.id,
        address: 'local',
        at: io.clock.now(),
      });
    switch (command) {
      case 'create':
        noPositionals(positionals);
        return await create(keys, flags, json, io, audit);
      case 'update':
        return await update(keys, onePositional(positionals), flags, json, io, audit);
      case 'list':
        noPositionals(positionals);
        return await list(keys, json, io);
      case 'revoke':
        return await revoke(keys, onePositional(positionals), json, io, audit);
      case 'roll':
        return await roll(keys, onePositional(positionals), flags, json, io, audit);
    }
  } finally {
    await storage.close();
  }
}

type Audit = (action: AuditAction, key: StoredKey) => Promise<void>;

async function create(keys: KeyService, flags: Flags, json: boolean, io: CliIo, audit: Audit): Promise<number> {
  const body = parseInput(createKeySchema, {
    environment: flags.env,
    accountId: flags.account,
    expiresAt: flags['expires-at'],
    ...settingsBody(flags),
  });
  const { accountId, expiresAt, ...settings } = body;
  const result = await keys.create(
    { ...settings, accountId, expiresAt: futureTime(expiresAt, keys.now(), 'expiresAt') },
    { createAccount: true },
  );
  if (!result.ok) throw new UsageError(result.reason === 'invalid' ? result.message : '--account: unknown account');
  await audit('key.created', result.issued.record);
  printIssued(result.issued, keys.now(), json, io);
  return 0;
}

/** Only the flags given change the key; `--clear <field>` resets one. */
async function update(
  keys: KeyService,
  id: string,
  flags: Flags,
  json: boolean,
  io: CliIo,
  audit: Audit,
): Promise<number> {
  const set = settingsBody(flags);
  const patch = parseInput(patchKeySchema, {
    ...set,
    ...clearedBody((flags.clear as string[] | undefined) ?? [], set),
  });
  if (Object.keys(patch).length === 0) throw new UsageError('nothing to change (see "update --help")');
  const result = await keys.update(id, patch);
  if (!result.ok) throw new UsageError(result.reason === 'invalid' ? result.message : `no key with id "${id}"`);
  await audit('key.updated', result.key);
  const view = toKeyDetail(result.key, await keys.quotaUsage(result.key), keys.now());
  io.stdout(
    json
      ? `${JSON.stringify(view, null, 2)}\n`
      : `updated ${view.id} (${view.hint})\n${settingLines(view).join('\n')}\n`,
  );
  return 0;
}

async function list(keys: KeyService, json: boolean, io: CliIo): Promise<number> {
  const now = keys.now();
  const views = (await keys.list()).map((key) => toKeyView(key, now));
  if (json) {
    io.stdout(`${JSON.stringify(views, null, 2)}\n`);
    return 0;
  }
  if (views.length === 0) {
    io.stdout('no keys\n');
    return 0;
  }
  io.stdout(
    formatTable(
      ['ID', 'ENV', 'STATUS', 'HINT', 'NAME', 'ACCOUNT', 'CREATED', 'EXPIRES'],
      views.map((v) => [
        v.id,
        v.environment,
        v.status,
        v.hint,
        v.name ?? '',
        v.accountId,
        v.createdAt,
        v.expiresAt ?? '',
      ]),
    ),
  );
  return 0;
}

async function revoke(keys: KeyService, id: string, json: boolean, io: CliIo, audit: Audit): Promise<number> {
  const revoked = await keys.revoke(id);
  if (revoked === undefined) throw new UsageError(`no key with id "${id}"`);
  await audit('key.revoked', revoked);
  const view = toKeyView(revoked, keys.now());
  io.stdout(json ? `${JSON.stringify(view, null, 2)}\n` : `revoked ${view.id} (${view.hint})\n`);
  return 0;
}

async function roll(
  keys: KeyService,
  id: string,
  flags: Flags,
  json: boolean,
  io: CliIo,
  audit: Audit,
): Promise<number> {
  const grace = flags['grace-seconds'] as string | undefined;
  const body = parseInput(rollKeySchema, { gracePeriodSeconds: grace === undefined ? undefined : Number(grace) });
  const result = await keys.roll(id, body.gracePeriodSeconds ?? 0);
  if (!result.ok) {
    throw new UsageError(
      result.reason === 'not_found' ? `no key with id "${id}"` : `key "${id}" is ${result.reason} and cannot be rolled`,
    );
  }
  await audit('key.rolled', result.old);
  printIssued(result.issued, keys.now(), json, io, result.old);
  return 0;
}

function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

function onePositional(positionals: readonly string[]): string {
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('expected exactly one key id');
  return positionals[0];
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
