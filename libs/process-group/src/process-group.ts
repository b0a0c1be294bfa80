import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last ~64 KiB the process wrote (stdout and stderr), for error messages. */
  output(): string;
  exited(): boolean;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exit: Promise<number | null>;
  /** SIGSTOP / SIGCONT: the process keeps its sockets but answers nothing. */
  pause(): void;
  resume(): void;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (after a SIGCONT: a paused process never handles it), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Added to a minimal environment (PATH and HOME): nothing else from the caller's shell leaks in. */
  env?: Record<string, string>;
  cwd?: string;
  /** Flags before the script, e.g. V8 heap settings or `--cpu-prof`. */
  nodeArgs?: readonly string[];
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Every process a tool starts, so all of them are stopped, in reverse start
 * order and by PID, on success, failure and Ctrl-C alike.
 */
export class ProcessGroup {
  readonly #processes: ManagedProcess[] = [];

  start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let output = '';
    const keep = (data: Buffer) => void (output = (output + data.toString()).slice(-OUTPUT_LIMIT));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const signal = (which: NodeJS.Signals) => void (exited() || child.kill(which));
    const managed: ManagedProcess = {
      name,
      pid: child.pid,
      child,
      output: () => output,
      exited,
      exit,
      pause: () => signal('SIGSTOP'),
      resume: () => signal('SIGCONT'),
      async kill() {
        signal('SIGKILL');
        await exit;
      },
      async stop(graceMs = 5_000) {
        if (exited()) return;
        signal('SIGCONT');
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      },
    };
    this.#processes.push(managed);
    return managed;
  }

  /** `node [nodeArgs] script` on the Node running this tool (the workspace's pinned one, never the system's). */
  startNode(name: string, script: string, options: SpawnOptions = {}): ManagedProcess {
    return this.start(name, process.execPath, [...(options.nodeArgs ?? []), script], options);
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    for (const managed of this.#processes.splice(0).reverse()) await managed.stop(graceMs);
  }

  /** Last resort from a synchronous 'exit' handler: no waiting possible, so SIGKILL. */
  killAllNow(): void {
    for (const managed of this.#processes.splice(0)) if (!managed.exited()) process.kill(managed.pid, 'SIGKILL');
  }
}
