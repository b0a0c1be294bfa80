// Copies the files `npm ci` reads (root package.json, lockfile, .npmrc and
// every workspace's package.json) into one folder, keeping their paths. The
// app Dockerfiles install dependencies from that folder alone, so the
// `npm ci` layer is rebuilt only when a manifest changes, not on every source
// edit (the legacy builder has no `COPY --parents`).
// usage: node copy-manifests.ts <from-dir> <to-dir>
import { cpSync, existsSync, globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [from, to] = process.argv.slice(2);
if (!from || !to) throw new Error('usage: node copy-manifests.ts <from-dir> <to-dir>');

const root = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { workspaces?: string[] };
const workspaceManifests = (root.workspaces ?? []).flatMap((pattern) =>
  globSync(`${pattern}/package.json`, { cwd: from }),
);
for (const file of ['package.json', 'package-lock.json', '.npmrc', ...workspaceManifests]) {
  if (existsSync(join(from, file))) cpSync(join(from, file), join(to, file));
}
