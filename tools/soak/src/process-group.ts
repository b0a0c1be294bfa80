import { spawn, type ChildProcess } from 'node:child_process';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The last ~32 KiB the process wrote, for error messages. */
  output(): string;
  exited(): boolean;
  /** SIGSTOP / SIGCONT: the process keeps its sockets but answers nothing. */
  pause(): void;
  resume(): void;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 32 * 1024;

/** Every process the soak starts, so each is stopped by its PID on success, failure and Ctrl-C. */
export class ProcessGroup {
  readonly #processes: ManagedProcess[] = [];

  start(name: string, command: string, args: readonly string[], env: Record<string, string>): ManagedProcess {
    const child: ChildProcess = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let output = '';
    const keep = (data: Buffer) => void (output = (output + data.toString()).slice(-OUTPUT_LIMIT));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exit = new Promise<void>((done) => child.once('exit', () => done()));
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const signal = (name: NodeJS.Signals) => void (exited() || child.kill(name));
    const managed: ManagedProcess = {
      name,
      pid: child.pid,
      output: () => output,
      exited,
      pause: () => signal('SIGSTOP'),
      resume: () => signal('SIGCONT'),
      async kill() {
        signal('SIGKILL');
        await exit;
      },
      async stop(graceMs = 5_000) {
        if (exited()) return;
        // A paused process never handles SIGTERM.
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

  async stopAll(): Promise<void> {
    for (const managed of this.#processes.splice(0).reverse()) await managed.stop();
  }

  /** From a synchronous exit handler: no waiting possible. */
  killAllNow(): void {
    for (const managed of this.#processes.splice(0)) if (!managed.exited()) process.kill(managed.pid, 'SIGKILL');
  }
}
