import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from '../manifests.ts';

const run = promisify(execFile);

/** The first `curl` of the RouteMCP authentication page, as the page writes it: a URL and one header. */
export function docsCurl(): { url: string; header: string } {
  const page = readFileSync(join(workspaceRoot, 'docs/routemcp-authentication.md'), 'utf8');
  const match = /^curl (http:\/\/localhost:5001\S+) \\\n\s+-H "([^"]+)"$/m.exec(page);
  if (!match) throw new Error('no `curl http://localhost:5001… -H "…"` in docs/routemcp-authentication.md');
  return { url: match[1]!, header: match[2]! };
}

/**
 * Runs that curl with the real `curl` binary, the published port instead of
 * 5001 and, when given, a key instead of the page's placeholder.
 */
export async function runDocsCurl(port: number, key?: string): Promise<{ status: number; body: string }> {
  const { url, header } = docsCurl();
  const args = [
    '-sS',
    '--max-time',
    '10',
    '-w',
    '\n%{http_code}',
    url.replace('localhost:5001', `localhost:${port}`),
    '-H',
    key === undefined ? header : header.replace(/sk_live_\w+/, key),
  ];
  const { stdout } = await run('curl', args, { timeout: 15_000 });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}
