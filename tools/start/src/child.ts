import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  /** Settles when the process is gone, however it went. */
  readonly exited: Promise<ChildExit>;
  running(): boolean;
  /** The newest lines of output, for a report when it dies. */
  lastLines(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<ChildExit>;
}

export interface ChildOptions {
  name: string;
  /** The Node binary; npm start passes its own so children run on the same Node 24. */
  execPath: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  onLine: (name: string, line: string) => void;
  tailLines?: number;
}

/** Starts a Node child with piped output, each line handed to `onLine` and kept in a short tail. */
export function startChild(options: ChildOptions): Child {
  const { name, onLine } = options;
  const tailLines = options.tailLines ?? 40;
  const tail: string[] = [];
  const proc = spawn(options.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let done: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('error', (error) => {
      onLine(name, `failed to start: ${error.message}`);
      done = { code: null, signal: null };
      resolve(done);
    });
    // `close` rather than `exit`: the last lines of output have been read by then.
    proc.once('close', (code, signal) => {
      done = { code, signal };
      resolve(done);
    });
  });

  const follow = (stream: Readable) => {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
      onLine(name, line);
    });
  };
  follow(proc.stdout);
  follow(proc.stderr);

  return {
    name,
    exited,
    running: () => done === undefined,
    lastLines: () => [...tail],
    async stop(graceMs) {
      if (done !== undefined) return done;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs a Node script to completion, collecting its output (bounded by `timeoutMs`). */
export async function runToCompletion(options: {
  execPath: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(options.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => {
    proc.once('error', (error) => {
      stderr += `${error.message}\n`;
      resolve(null);
    });
    proc.once('close', (exitCode) => resolve(exitCode));
  });
  return { code, stdout, stderr };
}
