import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessGroup } from './process-group.ts';

let group: ProcessGroup;
afterEach(() => group?.killAllNow());

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A Node script, as an `-e` argument. */
const script = (code: string) => ['-e', code];

describe('ProcessGroup', () => {
  it('keeps what a process writes on stdout and stderr, and its exit code', async () => {
    group = new ProcessGroup();
    const child = group.start(
      'writer',
      process.execPath,
      script('process.stdout.write("out "); process.stderr.write("err"); process.exit(3)'),
    );
    expect(await child.exit).toBe(3);
    expect(child.output()).toBe('out err');
    expect(child.exited()).toBe(true);
  });

  it('passes only PATH, HOME and the given variables', async () => {
    group = new ProcessGroup();
    process.env.LEAK_CHECK = 'from-the-shell';
    try {
      const child = group.start(
        'env',
        process.execPath,
        script('console.log(Object.keys(process.env).sort().join())'),
        {
          env: { ONLY: '1' },
        },
      );
      await child.exit;
      expect(child.output().trim()).toBe('HOME,ONLY,PATH');
    } finally {
      delete process.env.LEAK_CHECK;
    }
  });

  it('stop: SIGTERM, then SIGKILL after the grace period for a process that ignores it', async () => {
    group = new ProcessGroup();
    const polite = group.start('polite', process.execPath, script('setInterval(() => {}, 1000)'));
    const stubborn = group.start(
      'stubborn',
      process.execPath,
      script('process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'),
    );
    await expect.poll(() => stubborn.output()).toContain('ready');
    await polite.stop();
    expect(polite.child.signalCode).toBe('SIGTERM');
    await stubborn.stop(200);
    expect(stubborn.child.signalCode).toBe('SIGKILL');
  });

  it('stop reaches a paused process (SIGCONT first)', async () => {
    group = new ProcessGroup();
    const child = group.start('paused', process.execPath, script('setInterval(() => {}, 1000)'));
    child.pause();
    await child.stop(5_000);
    expect(child.child.signalCode).toBe('SIGTERM');
  });

  it('startNode runs a script on this Node, with the Node flags before it', async () => {
    group = new ProcessGroup();
    const dir = mkdtempSync(join(tmpdir(), 'process-group-'));
    try {
      const file = join(dir, 'flags.mjs');
      writeFileSync(file, 'console.log(JSON.stringify(process.execArgv))');
      const child = group.startNode('flags', file, { nodeArgs: ['--max-semi-space-size=8'] });
      expect(await child.exit).toBe(0);
      expect(child.child.spawnfile).toBe(process.execPath);
      expect(JSON.parse(child.output())).toEqual(['--max-semi-space-size=8']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stopAll and killAllNow leave nothing running', async () => {
    group = new ProcessGroup();
    const a = group.start('a', process.execPath, script('setInterval(() => {}, 1000)'));
    const b = group.start('b', process.execPath, script('setInterval(() => {}, 1000)'));
    await group.stopAll();
    expect([alive(a.pid), alive(b.pid)]).toEqual([false, false]);
    const c = group.start('c', process.execPath, script('setInterval(() => {}, 1000)'));
    group.killAllNow();
    await c.exit;
    expect(c.child.signalCode).toBe('SIGKILL');
  });
});
