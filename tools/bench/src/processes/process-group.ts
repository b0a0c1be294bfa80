import { spawn, type ChildProcess } from 'node:child_process';

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last ~64 KiB the process wrote, for error messages. */
  output(): string;
  exited(): boolean;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Every process the bench starts, so all of them are stopped — in reverse
 * start order, by PID — on success, error and Ctrl-C alike.
 */
export class ProcessGroup {
  readonly #processes: ManagedProcess[] = [];

  start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      // A minimal environment: nothing from the caller's shell leaks into what is measured.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let output = '';
    const keep = (data: Buffer) => {
      output = (output + data.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const managed: ManagedProcess = {
      name,
      pid: child.pid,
      child,
      output: () => output,
      exited,
      exit,
      async stop(graceMs = 5000) {
        if (exited()) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      },
    };
    this.#processes.push(managed);
    return managed;
  }

  async stopAll(graceMs = 5000): Promise<void> {
    for (const managed of this.#processes.splice(0).reverse()) await managed.stop(graceMs);
  }

  /** Last resort from a synchronous 'exit' handler: no waiting possible, so SIGKILL. */
  killAllNow(): void {
    for (const managed of this.#processes.splice(0)) if (!managed.exited()) managed.child.kill('SIGKILL');
  }
}
