import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { everyMs, watchParent } from './parent-watch.ts';
import { runStack } from './run-stack.ts';
import { DEFAULT_KEYSTORE_DB, deriveStackEnv, withFirstLogin, type StackEnv } from './stack-env.ts';

const root = resolve(import.meta.dirname, '../../..');
const random = (bytes: number) => () => randomBytes(bytes).toString('base64url');

let derived: StackEnv;
try {
  derived = deriveStackEnv(process.env, { cwd: process.cwd(), randomToken: random(32) });
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(1);
}
// A first start makes a key on a new SQLite file. A PostgreSQL database is the operator's: the banner says how
// to make the first key there, and the keystore makes the first dashboard user from KEYSTORE_ADMIN_* if set.
const firstStart = derived.databaseUrl === undefined && !existsSync(derived.keystoreDb);
const { stack, login } = withFirstLogin(derived, firstStart, random(18));

const controller = new AbortController();
const stop = () => controller.abort();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
watchParent({ getPpid: () => process.ppid, onOrphaned: stop, every: everyMs(500) });

const code = await runStack({
  root,
  execPath: process.execPath,
  proxyNodeArgs: JSON.parse(readFileSync(resolve(root, 'apps/proxy/node-flags.json'), 'utf8')) as string[],
  stack,
  firstStart,
  login,
  customDb: stack.keystoreDb !== resolve(root, DEFAULT_KEYSTORE_DB),
  signal: controller.signal,
  print: (text) => process.stdout.write(`${text}\n`),
});
process.exit(code);
