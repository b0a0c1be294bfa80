import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const workspaceRoot = resolve(import.meta.dirname, '../../../../..');

/** What a checked block is, as its marker names it. */
export type BlockKind = { of: 'envoy'; message: string; fragment: boolean } | { of: 'traefik' } | { of: 'kubernetes' };

export interface DocBlock {
  /** `docs/forward-auth.md:123`: the fence's line, for failure messages. */
  where: string;
  /** The fence's info string (`yaml`, `nginx`...). */
  lang: string;
  text: string;
  kind: BlockKind | undefined;
}

/**
 * The marker is an HTML comment (invisible when rendered) on the lines just
 * before the fence, so the test finds the block by what it says it is, not
 * by its position in the page:
 *
 *     <!-- config-check: envoy envoy.config.bootstrap.v3.Bootstrap -->
 *     <!-- config-check: envoy envoy.extensions...HttpConnectionManager fragment -->
 *     <!-- config-check: traefik -->
 *     <!-- config-check: kubernetes -->
 *
 * `fragment`: the block is part of the message (say, its `http_filters`), so
 * fields the message requires may be missing.
 */
const MARKER = /^<!--\s*config-check:\s*(.+?)\s*-->$/;

function parseMarker(spec: string, where: string): BlockKind {
  const [of, message, flag, ...rest] = spec.split(/\s+/);
  if (of === 'envoy' && message !== undefined && (flag === undefined || flag === 'fragment') && rest.length === 0)
    return { of, message, fragment: flag === 'fragment' };
  if ((of === 'traefik' || of === 'kubernetes') && message === undefined) return { of };
  throw new Error(`${where}: unreadable config-check marker "${spec}"`);
}

/** Every fenced block of a markdown file under the workspace, with the marker before it if any. */
export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(join(workspaceRoot, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let marker: { spec: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const found = MARKER.exec(line.trim());
    if (found) {
      marker = { spec: found[1]!, line: i + 1 };
      continue;
    }
    const fence = /^(`{3,})(\S*)/.exec(line);
    if (!fence) {
      if (line.trim() !== '') marker = undefined;
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence[1]!));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed fence`);
    const where = `${file}:${i + 1}`;
    blocks.push({
      where,
      lang: fence[2]!,
      text: lines.slice(i + 1, end).join('\n'),
      kind: marker && parseMarker(marker.spec, where),
    });
    marker = undefined;
    i = end;
  }
  return blocks;
}
