import type { BenchContext } from '../context.ts';
import { runAutocannon } from './autocannon-run.ts';
import type { LoadResult } from './load-result.ts';
import { runWrk } from './wrk-run.ts';

export interface Drive {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /**
   * A fixed rate below saturation instead of as fast as possible. wrk paces
   * it: each connection waits connections × 1000 / rate ms after each answer,
   * so the achieved rate is a little under this one. autocannon's
   * `overallRate` is only the fallback: it is a per-second quota per
   * connection (`reqsMadeThisSecond`), so each second starts with a burst.
   */
  rate?: number;
}

/** One load run with wrk when installed, autocannon otherwise. */
export function drive(ctx: BenchContext, run: Drive): Promise<LoadResult> {
  const { url, connections, durationSeconds, headers, rate } = run;
  if (ctx.tools.wrk !== null) {
    return runWrk(ctx.group, {
      binary: ctx.tools.wrk,
      dir: ctx.dir,
      url,
      connections,
      durationSeconds,
      headers,
      ...(rate === undefined ? {} : { delayMs: Math.round((connections * 1000) / rate) }),
    });
  }
  return runAutocannon({
    url,
    connections,
    durationSeconds,
    headers,
    ...(rate === undefined ? {} : { overallRate: rate }),
  });
}
