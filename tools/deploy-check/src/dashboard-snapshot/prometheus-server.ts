import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';
import { freePort } from '@routemcp/testing/free-port';

/** One series of a range query: its labels and [unix seconds, value] points. */
export interface Series {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface PrometheusServer {
  url: string;
  process: ManagedProcess;
  queryRange(expr: string, range: { start: number; end: number; step: number }): Promise<Series[]>;
}

/**
 * Debian's `prometheus`, on loopback only, with a throw-away TSDB in `dir`,
 * scraping `targets` every `scrapeSeconds` under the job `jobName`.
 */
export async function startPrometheus(
  group: ProcessGroup,
  options: { dir: string; targets: string[]; jobName: string; scrapeSeconds: number },
): Promise<PrometheusServer> {
  const port = await freePort();
  const config = join(options.dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: `${options.scrapeSeconds}s`, evaluation_interval: `${options.scrapeSeconds}s` },
      scrape_configs: [{ job_name: options.jobName, static_configs: [{ targets: options.targets }] }],
    }),
  );
  const process = group.start('prometheus', 'prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(options.dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=2h',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (process.exited()) throw new Error(`prometheus exited while starting:\n${process.output()}`);
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready within 30 s:\n${process.output()}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    url,
    process,
    async queryRange(expr, { start, end, step }) {
      const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
      const res = await fetch(`${url}/api/v1/query_range?${params}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      if (body.status !== 'success' || !body.data) throw new Error(`query failed (${body.error}): ${expr}`);
      return body.data.result.map(({ metric, values }) => ({
        metric,
        values: values.map(([t, v]) => [t, Number(v)] as [number, number]),
      }));
    },
  };
}
