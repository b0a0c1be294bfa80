import { redact } from '@routemcp/api-key';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
// Present on every pino line and noise in a terminal.
const SKIPPED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app', 'v']);

function clockTime(time: unknown): string {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? '--:--:--.---' : date.toISOString().slice(11, 23);
}

function describeError(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const { type, message, stack } = value as { type?: unknown; message?: unknown; stack?: unknown };
  const where = typeof stack === 'string' ? stack.split('\n').find((line) => line.trim().startsWith('at ')) : undefined;
  return `${String(type ?? 'Error')}: ${String(message ?? '')}${where === undefined ? '' : ` (${where.trim()})`}`;
}

function field(name: string, value: unknown): string {
  if (name === 'err') return `err=${JSON.stringify(describeError(value))}`;
  if (typeof value !== 'string') return `${name}=${JSON.stringify(value) ?? 'undefined'}`;
  return `${name}=${/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`;
}

/**
 * One child's output line for the terminal: pino JSON becomes
 * `time level msg key=value…`, anything else passes through; always one
 * line, prefixed by the app, and anything key-shaped is reduced to its hint.
 */
export function formatLogLine(app: string, line: string): string {
  let text = line;
  if (line.startsWith('{')) {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (typeof record.level === 'number') {
        const level = (LEVELS[record.level] ?? String(record.level)).padEnd(5);
        const fields = Object.entries(record)
          .filter(([name]) => !SKIPPED.has(name))
          .map(([name, value]) => field(name, value));
        text = [clockTime(record.time), level, String(record.msg ?? ''), ...fields].filter(Boolean).join(' ');
      }
    } catch {
      // Not JSON after all: shown as it came.
    }
  }
  return `${app.padEnd(8)} | ${redact(text)}`;
}
