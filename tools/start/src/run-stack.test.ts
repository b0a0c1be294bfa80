import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runStack } from './run-stack.ts';
import { deriveStackEnv, withFirstLogin } from './stack-env.ts';

/*
 * The supervisor against stand-in apps: tiny scripts at the real apps' paths
 * in a temporary root, so this exercises spawning, readiness, the banner and
 * shutdown without depending on the real keystore and proxy.
 */
const FAKE_APP = (portVariable: string, name: string) => `
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../../../env-${name}.json', import.meta.url), JSON.stringify({ ...process.env, EXEC_ARGV: process.execArgv.join(' ') }));
if (process.env.FAKE_CRASH === '${name}') {
  console.error('fake ${name} failing on purpose');
  process.exit(3);
}
const server = createServer((req, res) => {
  if (req.url === '/die') process.exit(4);
  res.end(JSON.stringify({ success: true, data: { status: 'ok' } }));
});
server.listen(Number(process.env.${portVariable}), '127.0.0.1', () => console.log(JSON.stringify({ level: 30, time: Date.now(), msg: '${name} listening' })));
process.on('SIGTERM', () => { server.close(); process.exit(0); });
`;

const FAKE_CLI = `
import { writeFileSync } from 'node:fs';
writeFileSync(process.env.KEYSTORE_DB, '');
if (process.env.FAKE_CLI_FAIL) {
  console.error('cannot create key: disk on fire');
  process.exit(2);
}
console.log(JSON.stringify({ success: true, data: { id: 'key_1', key: process.env.FAKE_KEY } }));
`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let root: string;
let output: string[];
let controller: AbortController;
let running: Promise<number> | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'routemcp-start-'));
  await writeFile(join(root, 'package.json'), '{"type":"module"}');
  const files: [string, string][] = [
    ['apps/keystore/src/main.ts', FAKE_APP('KEYSTORE_PORT', 'keystore')],
    ['apps/keystore/src/cli.ts', FAKE_CLI],
    ['apps/api/src/main.ts', FAKE_APP('API_PORT', 'api')],
    ['apps/proxy/src/main.ts', FAKE_APP('PROXY_ADMIN_PORT', 'proxy')],
  ];
  for (const [path, text] of files) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  output = [];
  controller = new AbortController();
});

afterEach(async () => {
  // A failed assertion must not leave stand-in apps running.
  controller.abort();
  await running;
  await rm(root, { recursive: true, force: true });
});

async function start(extraEnv: Record<string, string> = {}, firstStart = true) {
  const ports = {
    PROXY_PORT: String(await freePort()),
    PROXY_ADMIN_PORT: String(await freePort()),
    AUTHZ_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    KEYSTORE_PORT: String(await freePort()),
  };
  const derived = deriveStackEnv({ ...ports, ...extraEnv }, { cwd: root, randomToken: () => 'run-token' });
  const { stack, login } = withFirstLogin(derived, firstStart, () => 'run-password');
  const exitCode = runStack({
    root,
    execPath: process.execPath,
    proxyNodeArgs: ['--max-semi-space-size=8'],
    stack,
    firstStart,
    login,
    customDb: false,
    signal: controller.signal,
    print: (text) => output.push(text),
    startupTimeoutMs: 8_000,
    stopGraceMs: 2_000,
  });
  running = exitCode;
  return { exitCode, stack };
}

const printed = () => output.join('\n');
const bannerShown = () => vi.waitFor(() => expect(printed()).toContain('RouteMCP Gateway is up'), { timeout: 8_000 });
const readEnv = async (name: string) =>
  JSON.parse(await readFile(join(root, `env-${name}.json`), 'utf8')) as Record<string, string>;
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => true,
    () => false,
  );

describe('runStack', () => {
  it('on first start makes a key, starts all three, prints the banner, and stops them all on abort', async () => {
    const { key } = makeTestKey('test');
    const { exitCode, stack } = await start({ FAKE_KEY: key });
    await bannerShown();

    expect(printed()).toContain(
      `curl "http://localhost:${stack.ports.proxy}/api/v1/contact?provider=hubspot" -H "Authorization: Bearer ${key}"`,
    );
    expect(printed()).toContain('run-password');
    expect(output).toContainEqual(expect.stringMatching(/^api {6}\| \d\d:\d\d:\d\d\.\d{3} info {2}api listening$/));

    const [keystore, proxy] = [await readEnv('keystore'), await readEnv('proxy')];
    expect(keystore.KEYSTORE_SERVICE_TOKEN).toBe('run-token');
    expect(proxy.KEYSTORE_SERVICE_TOKEN).toBe('run-token');
    expect(keystore.KEYSTORE_DB).toBe(stack.keystoreDb);
    expect(keystore.KEYSTORE_ADMIN_PASSWORD).toBe('run-password');
    expect(proxy.UPSTREAM_URL).toBe(`http://127.0.0.1:${stack.ports.api}`);
    expect(proxy.AUTHZ_PORT).toBe(String(stack.ports.authz));
    expect(printed()).toContain(`http://localhost:${stack.ports.authz}/authz`);
    expect([proxy.EXEC_ARGV, keystore.EXEC_ARGV]).toEqual(['--max-semi-space-size=8', '']);

    controller.abort();
    expect(await exitCode).toBe(0);
    for (const port of [stack.ports.keystore, stack.ports.api, stack.ports.proxyAdmin]) {
      expect(await answers(port)).toBe(false);
    }
  });

  it('on a later start skips the CLI and says how to make a key', async () => {
    const { exitCode } = await start({}, false);
    await bannerShown();
    expect(printed()).toContain('npm run keys -- create --env test');
    expect(existsSync(join(root, 'data/keystore.sqlite'))).toBe(false);
    controller.abort();
    expect(await exitCode).toBe(0);
  });

  it('exits 1 with the last output of a child that dies before it is ready, stopping the others', async () => {
    const { exitCode, stack } = await start({ FAKE_CRASH: 'proxy', FAKE_KEY: makeTestKey().key });
    expect(await exitCode).toBe(1);
    expect(printed()).toContain('proxy stopped (exit code 3) before it was ready');
    expect(printed()).toContain('proxy    | fake proxy failing on purpose');
    expect(printed()).not.toContain('RouteMCP Gateway is up');
    expect(await answers(stack.ports.keystore)).toBe(false);
    expect(await answers(stack.ports.api)).toBe(false);
    // Its key was never shown, so the next start must be a first start again.
    expect(existsSync(stack.keystoreDb)).toBe(false);
  });

  it('exits 1 when a child dies after start, stopping the others', async () => {
    const { exitCode, stack } = await start({ FAKE_KEY: makeTestKey().key });
    await bannerShown();
    await fetch(`http://127.0.0.1:${stack.ports.api}/die`).catch(() => undefined);
    expect(await exitCode).toBe(1);
    expect(printed()).toContain('api stopped unexpectedly (exit code 4)');
    expect(await answers(stack.ports.proxyAdmin)).toBe(false);
  });

  it('exits 1 and removes the half-made database when the key CLI fails', async () => {
    const { exitCode, stack } = await start({ FAKE_CLI_FAIL: '1' });
    expect(await exitCode).toBe(1);
    expect(printed()).toContain('cannot create key: disk on fire');
    expect(existsSync(stack.keystoreDb)).toBe(false);
    expect(existsSync(join(root, 'env-keystore.json'))).toBe(false);
  });
});
