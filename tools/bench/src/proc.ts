import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What /proc/<pid>/stat tells us: CPU time in clock ticks, and the parent. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks (see `clockTicksPerSecond`). */
  cpuTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name (field 2) is in
 * parentheses and may itself contain spaces and ')', so fields are counted
 * from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (open < 0 || close < open) throw new Error('not a /proc/<pid>/stat line');
  const pid = Number(text.slice(0, open).trim());
  // After ')': state(3) ppid(4) … utime(14) stime(15), so index = field - 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) throw new Error('malformed /proc/<pid>/stat line');
  return { pid, ppid, cpuTicks: utime + stime };
}

/** VmRSS from /proc/<pid>/status, in bytes; NaN when absent (a zombie has none). */
export function parseVmRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

export function readProcStat(pid: number): ProcStat {
  return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export function readRssBytes(pid: number): number {
  return parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** The pid and its direct children (nginx: master + workers). */
export function processFamily(pid: number): number[] {
  const family = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readProcStat(Number(entry)).ppid === pid) family.push(Number(entry));
    } catch {
      // the process ended between readdir and read
    }
  }
  return family;
}

/** Total CPU ticks of the given pids; a pid that has gone counts as 0. */
export function cpuTicksOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += readProcStat(pid).cpuTicks;
    } catch {
      // exited: its CPU is no longer observable
    }
  }
  return total;
}

/** `getconf CLK_TCK` (100 on every Linux we know, but asked rather than assumed). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
