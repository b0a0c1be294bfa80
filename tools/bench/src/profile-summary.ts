import { readFileSync } from 'node:fs';
import { selfTimeByOrigin, selfTimes, type CpuProfile } from './profile/cpu-profile.ts';
import { formatTable } from './table.ts';

/** `node tools/bench/src/profile-summary.ts <file.cpuprofile> [top]`: where a profiled process spent its CPU. */
const [file, topText] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node tools/bench/src/profile-summary.ts <file.cpuprofile> [top=30]\n');
  process.exit(2);
}
const entries = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
const top = Number(topText ?? 30);
const rounded = (value: number) => Math.round(value * 100) / 100;
process.stdout.write(
  `${formatTable(
    ['self %', 'self ms', 'function', 'where'],
    entries.slice(0, top).map((entry) => [rounded(entry.percent), Math.round(entry.selfMs), entry.name, entry.where]),
  )}\n\nBy origin\n${formatTable(
    ['self %', 'origin'],
    selfTimeByOrigin(entries)
      .slice(0, 20)
      .map((group) => [rounded(group.percent), group.origin]),
  )}\n`,
);
