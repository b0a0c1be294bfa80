import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { createAdminServer, type Readiness } from '../admin/index.ts';
import type { ProxyConfig } from '../config.ts';
import { listen } from '../http/index.ts';
import { combineReadiness } from './combine-readiness.ts';
import { isAnswer, type Ask, type Question } from './messages.ts';
import { RetiredMetrics, type MetricJson } from './retired-metrics.ts';

/** A worker that answers nothing within this long counts as not ready (and fails a metrics scrape). */
const ANSWER_TIMEOUT_MS = 2_000;
/** Restart back-off for workers that keep dying: doubles from the first to the last. */
const RESTART_DELAY_MS = { first: 100, last: 10_000 };
/** A worker that lived this long resets the back-off. */
const HEALTHY_LIFETIME_MS = 10_000;

interface Pending {
  resolve: (value: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * The PROXY_WORKERS > 1 mode: this process forks the workers, which share
 * the public port (Node's cluster hands connections round-robin), serves the
 * admin port itself with every worker's metrics summed and one readiness
 * answer, replaces a worker that dies, and on SIGTERM lets every worker
 * drain before it exits. It never handles a request itself. The sums keep
 * what dead workers had counted (`RetiredMetrics`), so no counter of the
 * cluster ever goes down.
 */
export async function runPrimary(config: ProxyConfig, logger: Logger): Promise<void> {
  const expected = config.PROXY_WORKERS;
  const registry = new Registry();
  const restarts = new Counter({
    name: 'routemcp_proxy_worker_restarts_total',
    help: 'Workers started again after one exited unexpectedly.',
    registers: [registry],
  });
  const serving = new Set<Worker>();
  new Gauge({
    name: 'routemcp_proxy_workers',
    help: 'Worker processes accepting connections on the public port.',
    registers: [registry],
    collect() {
      this.set(serving.size);
    },
  });

  let stopping = false;
  let restartDelayMs = RESTART_DELAY_MS.first;
  const pending = new Map<number, Pending>();
  let nextId = 0;
  /** Each serving worker's metrics as last published; retired when it exits. */
  const lastScrapes = new Map<Worker, MetricJson[]>();
  const retired = new RetiredMetrics();

  function ask(worker: Worker, question: Question): Promise<unknown> {
    // A worker that just exited answers nothing.
    if (!worker.isConnected()) return Promise.resolve(undefined);
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(undefined);
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, { resolve, timer });
      const message: Ask = { type: 'routemcp:ask', id, question };
      // With a callback, a channel that closes meanwhile is the timer's business, not an 'error' event.
      worker.send(message, undefined, () => undefined);
    });
  }

  cluster.on('message', (_worker, message: unknown) => {
    if (!isAnswer(message)) return;
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    waiting.resolve(message.value);
  });

  const started = Promise.withResolvers<void>();
  let startingUp = true;

  function fork(): void {
    const worker = cluster.fork();
    const forkedAt = performance.now();
    worker.once('listening', () => {
      serving.add(worker);
      if (serving.size === expected) started.resolve();
    });
    worker.once('exit', (code, signal) => {
      serving.delete(worker);
      const last = lastScrapes.get(worker);
      lastScrapes.delete(worker);
      if (last !== undefined) retired.retire(last);
      if (stopping) return;
      if (startingUp) {
        started.reject(new Error(`worker ${worker.id} exited during start-up (code ${code}, signal ${signal})`));
        return;
      }
      const lived = performance.now() - forkedAt;
      restartDelayMs =
        lived >= HEALTHY_LIFETIME_MS ? RESTART_DELAY_MS.first : Math.min(restartDelayMs * 2, RESTART_DELAY_MS.last);
      logger.error({ worker: worker.id, code, signal, restartInMs: restartDelayMs }, 'worker exited; starting another');
      restarts.inc();
      setTimeout(() => {
        if (!stopping) fork();
      }, restartDelayMs).unref();
    });
  }

  async function readiness(): Promise<Readiness> {
    if (stopping) return { ready: false, message: 'Draining' };
    const answers = await Promise.all([...serving].map((worker) => ask(worker, 'readiness')));
    const valid = answers.map((answer): Readiness =>
      (answer as Readiness | undefined)?.ready === undefined
        ? { ready: false, message: 'A worker did not answer' }
        : (answer as Readiness),
    );
    return combineReadiness(valid, expected);
  }

  let scraping: Promise<string> | undefined;
  /**
   * One scrape at a time (concurrent callers share it): two interleaved ones
   * could leave the older answer as a worker's last, and that worker would
   * be retired with less than was already published.
   */
  function metrics(): Promise<string> {
    scraping ??= scrape().finally(() => (scraping = undefined));
    return scraping;
  }

  async function scrape(): Promise<string> {
    const workers = [...serving];
    const answers = await Promise.all(workers.map((worker) => ask(worker, 'metrics')));
    if (answers.some((answer) => !Array.isArray(answer))) throw new Error('a worker did not report its metrics');
    const live: MetricJson[][] = [];
    workers.forEach((worker, i) => {
      // One that exited meanwhile was retired with its previous answer: all that was ever published of it.
      if (!serving.has(worker)) return;
      lastScrapes.set(worker, answers[i] as MetricJson[]);
      live.push(answers[i] as MetricJson[]);
    });
    // Retired last: aggregate() takes each metric's aggregator from its first occurrence, a live worker's.
    const summed = AggregatorRegistry.aggregate([...live, retired.snapshot()]);
    return (await registry.metrics()) + (await summed.metrics());
  }

  for (let i = 0; i < expected; i++) fork();
  try {
    await started.promise;
  } catch (err) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    throw err;
  }
  startingUp = false;

  const adminServer = createAdminServer({ readiness, metrics, contentType: registry.contentType });
  await listen(adminServer, config.PROXY_ADMIN_PORT, config.PROXY_HOST);
  logger.info(
    { port: config.PROXY_PORT, authzPort: config.AUTHZ_PORT, adminPort: config.PROXY_ADMIN_PORT, workers: expected },
    'proxy listening',
  );

  async function stop(signal: NodeJS.Signals): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    const exits = workers.map(
      (worker) =>
        new Promise<number | null>((resolve) => {
          if (worker.isDead()) return resolve(worker.process.exitCode);
          worker.once('exit', (code) => resolve(code));
          worker.process.kill('SIGTERM');
        }),
    );
    // Each worker drains within the grace period and exits on its own; this is the backstop.
    const backstop = setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, config.SHUTDOWN_GRACE_MS + 3_000);
    const codes = await Promise.all(exits);
    clearTimeout(backstop);
    adminServer.closeAllConnections();
    await new Promise((resolve) => adminServer.close(resolve));
    const clean = codes.every((code) => code === 0);
    logger.info({ workers: codes }, clean ? 'stopped' : 'stopped; a worker did not exit cleanly');
    logger.flush(() => process.exit(clean ? 0 : 1));
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
