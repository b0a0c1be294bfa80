import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerEngineProblem, noDockerEngineMessage } from './global-setup.ts';

const run = promisify(execFile);
const workspaceRoot = resolve(import.meta.dirname, '../../..');
const DEAD_SOCKET = 'unix:///tmp/routemcp-no-docker-here.sock';
const saved = { DOCKER_HOST: process.env.DOCKER_HOST, PATH: process.env.PATH };

afterEach(() => {
  for (const [name, value] of Object.entries(saved))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

describe('without a Docker engine', () => {
  it('names the socket nobody answers on', async () => {
    process.env.DOCKER_HOST = DEAD_SOCKET;
    expect(await dockerEngineProblem()).toMatch(
      /^Cannot connect to the Docker daemon at unix:\/\/\/tmp\/routemcp-no-docker-here\.sock\. /,
    );
  });

  it('says when the docker CLI itself is missing', async () => {
    process.env.PATH = '/nonexistent';
    expect(await dockerEngineProblem()).toBe('the docker CLI is not installed');
  });

  it('gives the fix in the same line', () => {
    expect(noDockerEngineMessage('x')).toBe(
      'integration tests need a Docker engine (x): start one with `bash tools/ci/start-docker.sh` (or install docker.io)',
    );
  });

  it('stops an integration suite with that one line: no stack trace, no code frame, exit code 1', async () => {
    const vitest = resolve(workspaceRoot, 'node_modules/vitest/vitest.mjs');
    const failed = await run(process.execPath, [vitest, 'run', '--config', 'vitest.config.ts'], {
      cwd: resolve(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DOCKER_HOST: DEAD_SOCKET, NO_COLOR: '1' },
      timeout: 60_000,
    }).then(
      () => undefined,
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    const output = `${failed?.stdout}${failed?.stderr}`;
    const lines = output.split('\n').filter((line) => line.includes('Docker'));
    expect(lines).toEqual([
      noDockerEngineMessage(
        'Cannot connect to the Docker daemon at unix:///tmp/routemcp-no-docker-here.sock. Is the docker daemon running?',
      ),
    ]);
    expect(output).not.toMatch(/❯|Unhandled|at .*global-setup\.ts/);
  }, 60_000);
});
