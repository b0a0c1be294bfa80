import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './manifests.ts';

const read = (path: string) => readFileSync(join(workspaceRoot, path), 'utf8');
const flags = JSON.parse(read('apps/proxy/node-flags.json')) as string[];

describe("the proxy's Node flags (apps/proxy/node-flags.json)", () => {
  it('are heap settings only, each a --flag=value', () => {
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(flag).toMatch(/^--[a-z-]+=\d+$/);
  });

  it('are on the image command, in order, before the script', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('apps/proxy/Dockerfile'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...flags, 'src/main.ts']);
  });

  it("are on the proxy's npm start script", () => {
    const pkg = JSON.parse(read('apps/proxy/package.json')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(['node', ...flags, 'src/main.ts'].join(' '));
  });
});
