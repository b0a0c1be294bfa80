import type { Readiness, ReadyReport } from '../admin/index.ts';

/**
 * One /readyz answer for a cluster: ready only while every expected worker
 * is up and ready, since connections are spread over all of them. Keystore
 * and events say `reachable`/`connected` only when every worker does; the
 * limiter is degraded when any worker runs on its fallback. `cachedKeys` is
 * the largest worker cache (each worker keeps its own).
 */
export function combineReadiness(answers: readonly Readiness[], expected: number): Readiness {
  const notReady = answers.find((answer) => !answer.ready);
  if (notReady !== undefined) return notReady;
  const reports = answers.flatMap((answer) => (answer.ready ? [answer.report] : []));
  if (reports.length < expected) return { ready: false, message: `${reports.length} of ${expected} workers ready` };
  const every = (test: (report: ReadyReport) => boolean): boolean => reports.every(test);
  const fallback = reports.some((report) => report.limiter === 'fallback');
  return {
    ready: true,
    report: {
      status: 'ready',
      keystore: every((r) => r.keystore === 'reachable') ? 'reachable' : 'unreachable',
      events: every((r) => r.events === 'connected') ? 'connected' : 'disconnected',
      cachedKeys: Math.max(...reports.map((r) => r.cachedKeys)),
      limiter: fallback ? 'fallback' : reports[0]!.limiter,
      ...(fallback ? { degraded: true as const } : {}),
      workers: expected,
    },
  };
}
