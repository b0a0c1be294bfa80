import { docker } from '@routemcp/testing';

export interface LogEntry {
  msg?: string;
  reqId?: string;
  result?: string;
  /** With PROXY_WORKERS > 1: the process that wrote the line (0 = the primary). */
  worker?: number;
}

/** A container's JSON log lines (it may be stopped). */
export async function proxyLog(containerId: string): Promise<LogEntry[]> {
  return (await docker('logs', containerId))
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEntry);
}
