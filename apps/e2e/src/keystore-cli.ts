import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from './app-process.ts';

const run = promisify(execFile);

/** The operator CLI (`npm run keys -- …`) on a keystore database, with or without a server running on it. */
export async function keystoreCli(db: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [resolve(workspaceRoot, 'apps/keystore/src/cli.ts'), ...args], {
    cwd: workspaceRoot,
    env: { PATH: process.env.PATH ?? '', KEYSTORE_DB: db },
    timeout: 30_000,
  });
  return stdout;
}
