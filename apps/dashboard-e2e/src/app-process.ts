import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const workspaceRoot = resolve(import.meta.dirname, '../../..');

export interface AppProcess extends AsyncDisposable {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGSTOP: the process keeps its sockets open but answers nothing (a hung service). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** SIGKILL (a crash: no drain, no goodbye on open connections); resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts one of the workspace's apps (`node <entry>`) on this Node 24. */
export function startApp(name: string, entry: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [resolve(workspaceRoot, entry)], {
    cwd: workspaceRoot,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (data: Buffer) => chunks.push(data.toString()));
  child.stderr?.on('data', (data: Buffer) => chunks.push(data.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 5000): Promise<number | null> => {
    if (!running()) return child.exitCode;
    // A paused process would only see the SIGTERM once continued.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const { code } = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    name,
    child,
    output: () => chunks.join(''),
    stop,
    exited,
    pause: () => void (running() && child.kill('SIGSTOP')),
    resume: () => void (running() && child.kill('SIGCONT')),
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    [Symbol.asyncDispose]: async () => void (await stop()),
  };
}

/** Polls `url` until it answers 2xx, the process dies, or `timeoutMs` passes. */
export async function waitUntilHealthy(app: AppProcess, url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited with ${app.child.exitCode}:\n${app.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${app.name} not healthy at ${url} after ${timeoutMs} ms:\n${app.output()}`);
}
