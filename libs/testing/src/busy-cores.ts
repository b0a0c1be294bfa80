import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface BusyCores extends AsyncDisposable {
  readonly pids: readonly number[];
}

/**
 * `count` processes spinning on a CPU each, to test on a machine with no
 * idle core. Each loop is bounded in time (`maxMs`) even if nobody stops it;
 * disposing kills them by PID and waits until they are gone.
 */
export async function busyCores(count: number, maxMs = 120_000): Promise<BusyCores> {
  const spin = `const end = Date.now() + ${Math.floor(maxMs)}; process.stdout.write('spinning\\n'); while (Date.now() < end) {}`;
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++)
    children.push(spawn(process.execPath, ['-e', spin], { stdio: ['ignore', 'pipe', 'inherit'] }));
  // Spinning once each has said so: the test's load is on before it measures.
  await Promise.all(children.map((child) => once(child.stdout!, 'data')));
  return {
    pids: children.map((child) => child.pid!),
    async [Symbol.asyncDispose]() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          process.kill(child.pid!, 'SIGKILL');
          await exited;
        }),
      );
    },
  };
}
