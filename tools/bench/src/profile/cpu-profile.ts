/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) that self time needs. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  /** µs since the previous sample; timeDeltas[i] belongs to samples[i]. */
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Workspace-relative file:line, package path for node_modules, or Node's internal module. */
  where: string;
  selfMs: number;
  /** Of all non-idle samples. */
  percent: number;
}

function location(url: string, lineNumber: number): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (inPackage) return `${inPackage[1]}/${inPackage[2]}:${lineNumber + 1}`;
  const inWorkspace = /\/((?:apps|libs|tools)\/.*)$/.exec(path);
  return `${inWorkspace ? inWorkspace[1] : path}:${lineNumber + 1}`;
}

/**
 * Self time per function (summed over every node with the same name and
 * place), highest first. Idle time is left out of the total so percentages
 * say where the busy time went.
 */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, SelfTime>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i] as number);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy += delta;
    const name = node.callFrame.functionName || '(anonymous)';
    const where = location(node.callFrame.url, node.callFrame.lineNumber);
    const id = `${name}@${where}`;
    const entry = totals.get(id) ?? { name, where, selfMs: 0, percent: 0 };
    entry.selfMs += delta / 1000;
    totals.set(id, entry);
  }
  return [...totals.values()]
    .map((entry) => ({ ...entry, percent: busy > 0 ? (entry.selfMs * 1000 * 100) / busy : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

function origin(entry: SelfTime): string {
  if (entry.name.startsWith('(')) return entry.name;
  if (entry.where === '') return '(native)';
  if (entry.where.startsWith('node:')) return 'node internals';
  const segments = entry.where.split('/');
  // apps/proxy, libs/errors, @scope/package: two segments; a plain package: one.
  const two = /^(apps|libs|tools)$/.test(segments[0] ?? '') || (segments[0] ?? '').startsWith('@');
  return segments.slice(0, two ? 2 : 1).join('/');
}

/** Self time grouped by where the code lives: a package, a workspace project, Node internals, GC. */
export function selfTimeByOrigin(entries: readonly SelfTime[]): { origin: string; percent: number }[] {
  const groups = new Map<string, number>();
  for (const entry of entries) groups.set(origin(entry), (groups.get(origin(entry)) ?? 0) + entry.percent);
  return [...groups.entries()]
    .map(([name, percent]) => ({ origin: name, percent }))
    .sort((a, b) => b.percent - a.percent);
}
