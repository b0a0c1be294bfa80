import { Agent, request } from 'node:http';

/** What came back, by status (`error` for a socket failure). */
export type Tally = Record<string, number>;

export interface LoadOptions {
  url: string;
  ratePerSecond: number;
  /** Keys that should get 200, taken in turn by every request the mix leaves. */
  keys: readonly string[];
  /** The rest of the traffic: each share of the rate (0–1) sent with what `key()` gives (undefined: no header). */
  mix: readonly { share: number; key: () => string | undefined }[];
}

/**
 * Open-loop load: every 20 ms it sends what the rate asks for, on up to 16
 * keep-alive connections (so the cluster spreads them over its workers),
 * never waiting for answers. `stop()` ends it and resolves once every
 * request sent has been answered or failed (at most 15 s later).
 */
export function startLoad(options: LoadOptions): { tally: Tally; stop(): Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const tally: Tally = {};
  const count = (what: string) => void (tally[what] = (tally[what] ?? 0) + 1);
  let inFlight = 0;
  let sent = 0;
  const started = performance.now();
  const pick = (): string | undefined => {
    let draw = Math.random();
    for (const { share, key } of options.mix) {
      if (draw < share) return key();
      draw -= share;
    }
    return options.keys[sent % options.keys.length];
  };
  const send = () => {
    const key = pick();
    sent++;
    inFlight++;
    const req = request(options.url, { agent, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    const finish = (what: string) => (count(what), inFlight--);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.once('error', () => finish('error'));
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => finish(String(res.statusCode)));
    });
    req.end();
  };
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * options.ratePerSecond);
    // Bounded: a stalled proxy gets at most 2 000 requests piled up, not an unbounded queue.
    while (sent < due && inFlight < 2_000) send();
  }, 20);
  return {
    tally,
    async stop() {
      clearInterval(timer);
      const deadline = Date.now() + 15_000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
      agent.destroy();
    },
  };
}
