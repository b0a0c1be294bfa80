import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { redact } from '@routemcp/api-key';
import { renderBanner } from './banner.ts';
import { runToCompletion, startChild, type Child, type ChildExit } from './child.ts';
import { extractKey } from './extract-key.ts';
import { formatLogLine } from './log-format.ts';
import type { AdminLogin, StackEnv } from './stack-env.ts';
import { httpProbe, waitReady } from './wait-ready.ts';

export interface RunStackOptions {
  /** The repository root: children's cwd, and where their scripts live. */
  root: string;
  execPath: string;
  /** Node flags for the proxy (apps/proxy/node-flags.json, which its Dockerfile and start script repeat). */
  proxyNodeArgs?: readonly string[];
  stack: StackEnv;
  firstStart: boolean;
  login: AdminLogin | undefined;
  customDb: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  print: (text: string) => void;
  startupTimeoutMs?: number;
  stopGraceMs?: number;
}

interface App {
  name: string;
  script: string;
  port: number;
  /** Node flags before the script (the proxy's heap settings). */
  nodeArgs?: readonly string[];
}

function describeExit(exit: ChildExit): string {
  return exit.signal === null ? `exit code ${String(exit.code)}` : `signal ${exit.signal}`;
}

/** Ctrl-C in a terminal reaches the whole process group, so a child may see it before we do. */
function wasInterrupted(exit: ChildExit): boolean {
  return exit.signal === 'SIGINT' || exit.code === 130;
}

/**
 * The first key, made by the operator CLI straight on the new SQLite file
 * before the keystore opens it. `undefined` key: the CLI worked but its output
 * held none; `ok: false`: it failed and the half-made database is removed so
 * the next start is a first start again.
 */
async function createFirstKey(
  options: RunStackOptions,
): Promise<{ ok: true; key: string | undefined } | { ok: false }> {
  const { stack, root } = options;
  await mkdir(dirname(stack.keystoreDb), { recursive: true });
  const result = await runToCompletion({
    execPath: options.execPath,
    args: [join(root, 'apps/keystore/src/cli.ts'), 'create', '--env', 'test', '--name', 'Getting started', '--json'],
    env: stack.env,
    cwd: root,
    timeoutMs: 30_000,
  });
  if (result.code === 0) return { ok: true, key: extractKey(result.stdout) };
  options.print(`The key CLI failed (${String(result.code)}) while creating the first key:`);
  options.print(redact(`${result.stderr}${result.stdout}`).trimEnd());
  await removeDatabase(stack.keystoreDb);
  return { ok: false };
}

function removeDatabase(path: string): Promise<unknown> {
  return Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${path}${suffix}`, { force: true })));
}

/** Brings up keystore + api, then the proxy; prints the banner; supervises until stopped. Resolves the exit code. */
export async function runStack(options: RunStackOptions): Promise<number> {
  const { stack, root, print, signal } = options;
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const children: Child[] = [];
  const stopAll = () => Promise.all(children.map((child) => child.stop(stopGraceMs)));

  let firstKey: string | undefined;
  if (options.firstStart) {
    const created = await createFirstKey(options);
    if (!created.ok) return 1;
    firstKey = created.key;
  }

  const start = async (apps: App[]): Promise<'ready' | 'failed' | 'aborted'> => {
    const launched = apps.map((app) => {
      const child = startChild({
        name: app.name,
        execPath: options.execPath,
        args: [...(app.nodeArgs ?? []), join(root, app.script)],
        env: stack.env,
        cwd: root,
        onLine: (name, line) => print(formatLogLine(name, line)),
      });
      children.push(child);
      return { app, child };
    });
    const results = await Promise.all(
      launched.map(async ({ app, child }) => ({
        app,
        child,
        readiness: await waitReady({
          child,
          probe: httpProbe(`http://127.0.0.1:${app.port}/healthz`),
          timeoutMs: startupTimeoutMs,
          signal,
        }),
      })),
    );
    if (signal.aborted) return 'aborted';
    const failed = results.find((result) => !result.readiness.ok);
    if (failed === undefined) return 'ready';
    const { app, child } = failed;
    const why = child.running()
      ? `did not answer http://127.0.0.1:${app.port}/healthz within ${startupTimeoutMs / 1000} s`
      : `stopped (${describeExit(await child.exited)}) before it was ready`;
    print(`\n${app.name} ${why}. Its last output:`);
    for (const line of child.lastLines()) print(formatLogLine(app.name, line));
    return 'failed';
  };

  const phases: App[][] = [
    [
      { name: 'keystore', script: 'apps/keystore/src/main.ts', port: stack.ports.keystore },
      { name: 'api', script: 'apps/api/src/main.ts', port: stack.ports.api },
    ],
    // The proxy last: it looks keys up in the keystore and forwards to the api.
    [
      {
        name: 'proxy',
        script: 'apps/proxy/src/main.ts',
        port: stack.ports.proxyAdmin,
        nodeArgs: options.proxyNodeArgs ?? [],
      },
    ],
  ];
  for (const phase of phases) {
    const outcome = await start(phase);
    if (outcome !== 'ready') {
      await stopAll();
      // Everything in a first start's database was made by this run, and its key was never shown:
      // dropping it makes the next run a first start again, with a key the user actually sees.
      if (options.firstStart) await removeDatabase(stack.keystoreDb);
      return outcome === 'aborted' ? 0 : 1;
    }
  }

  print(
    renderBanner({
      ports: stack.ports,
      redisUrl: stack.redisUrl,
      redisCluster: stack.redisCluster,
      redisSentinel: stack.redisSentinel,
      keystoreDb: stack.keystoreDb,
      databaseUrl: stack.databaseUrl,
      customDb: options.customDb,
      firstKey,
      firstStart: options.firstStart,
      login: options.login,
      nodeVersion: process.version,
    }),
  );

  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const ended = await Promise.race([aborted, ...children.map((child) => child.exited.then(() => child))]);
  if (ended === 'aborted' || signal.aborted || wasInterrupted(await ended.exited)) {
    print('Stopping…');
    await stopAll();
    return 0;
  }
  print(`\n${ended.name} stopped unexpectedly (${describeExit(await ended.exited)}); stopping the others.`);
  await stopAll();
  return 1;
}
