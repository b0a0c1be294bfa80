import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HttpError } from '@routemcp/errors';
import { pino } from 'pino';
import type { Clock } from '../clock.ts';
import { ConfigError, resolveDatabase } from '../config.ts';
import { createKeySchema, parseInput, rollKeySchema } from '../keys/key-input.ts';
import type { StoredKey } from '../keys/key-record.ts';
import { toKeyView, type KeyView } from '../keys/key-view.ts';
import { KeyService, type IssuedKey } from '../keys/key-service.ts';
import { openStorage } from '../store/open-storage.ts';
import type { AuditAction } from '../accounts/account-store.ts';
import { formatTable } from './format-table.ts';
import { HELP, USAGE } from './help.ts';

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
    name: { type: 'string' },
    account: { type: 'string' },
    capacity: { type: 'string' },
    refill: { type: 'string' },
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

/** Input mistakes: printed as one line, exit code 1, never a stack trace. */
class UsageError extends Error {}

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
    throw new UsageError(`unknown command "${name}" (commands: create, list, revoke, roll)`);
  const command = name as Command;
  const { values, positionals } = parseArgs({
    args: [...rest],
    options: OPTIONS[command],
    allowPositionals: true,
    strict: true,
  });
  const flags = values as Record<string, string | boolean | undefined>;
  if (flags.help === true) {
    io.stdout(HELP[command] ?? USAGE);
    return 0;
  }
  const json = flags.json === true;

  // Same variables as the server: KEYSTORE_DATABASE_URL (PostgreSQL) or KEYSTORE_DB (SQLite).
  const storage = await openStorage(resolveDatabase(io.env, io.cwd), { now: io.clock.now(), logger: silent, listen: false });
  try {
    const keys = new KeyService({ store: storage.keys, clock: io.clock });
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

async function create(
  keys: KeyService,
  flags: Record<string, string | boolean | undefined>,
  json: boolean,
  io: CliIo,
  audit: Audit,
): Promise<number> {
  const capacity = flags.capacity as string | undefined;
  const refill = flags.refill as string | undefined;
  if ((capacity === undefined) !== (refill === undefined)) throw new UsageError('--capacity and --refill go together');
  const body = parseInput(createKeySchema, {
    environment: flags.env,
    name: flags.name,
    accountId: flags.account,
    rateLimit:
      capacity === undefined || refill === undefined
        ? undefined
        : { capacity: Number(capacity), refillPerSecond: Number(refill) },
  });
  const result = await keys.create(
    {
      environment: body.environment,
      name: body.name ?? null,
      accountId: body.accountId,
      rateLimit: body.rateLimit ?? null,
    },
    { createAccount: true },
  );
  if (!result.ok) throw new UsageError('--account: unknown account');
  await audit('key.created', result.issued.record);
  printIssued(result.issued, keys.now(), json, io);
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
  flags: Record<string, string | boolean | undefined>,
  json: boolean,
  io: CliIo,
  audit: Audit,
): Promise<number> {
  const grace = flags['grace-seconds'] as string | undefined;
  const body = parseInput(rollKeySchema, { gracePeriodSeconds: grace === undefined ? undefined : Number(grace) });
  const result = await keys.roll(id, body.gracePeriodSeconds ?? 0);
  if (!result.ok) {
    throw new UsageError(
      result.reason === 'revoked' ? `key "${id}" is revoked and cannot be rolled` : `no key with id "${id}"`,
    );
  }
  await audit('key.rolled', result.old);
  printIssued(result.issued, keys.now(), json, io, result.old);
  return 0;
}

function printIssued(issued: IssuedKey, now: number, json: boolean, io: CliIo, old?: StoredKey): void {
  const { id, ...rest }: KeyView = toKeyView(issued.record, now);
  if (json) {
    const oldView = old === undefined ? {} : { old: toKeyView(old, now) };
    io.stdout(`${JSON.stringify({ id, key: issued.key, ...rest, ...oldView }, null, 2)}\n`);
    return;
  }
  const lines = [`id: ${id}`, `environment: ${rest.environment}`, `account: ${rest.accountId}`, `hint: ${rest.hint}`];
  if (old !== undefined) {
    const ends = old.revokedAt !== null ? 'revoked now' : `works until ${toKeyView(old, now).expiresAt}`;
    lines.push(`rolled from: ${old.id} (${ends})`);
  }
  lines.push(`key: ${issued.key}`);
  io.stdout(`${lines.join('\n')}\n`);
  io.stderr('This key is shown only once: store it now. The keystore keeps only its hash.\n');
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

const FLAG_NAMES: readonly [RegExp, string][] = [
  [/^environment:/, '--env:'],
  [/^accountId:/, '--account:'],
  [/^name:/, '--name:'],
  [/^rateLimit\.capacity:/, '--capacity:'],
  [/^rateLimit\.refillPerSecond:/, '--refill:'],
  [/^gracePeriodSeconds:/, '--grace-seconds:'],
];

/** The shared validators name JSON fields; on the command line the flag is what the operator typed. */
function flagNames(message: string): string {
  for (const [pattern, flag] of FLAG_NAMES) if (pattern.test(message)) return message.replace(pattern, flag);
  return message;
}
