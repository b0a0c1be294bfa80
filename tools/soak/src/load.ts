import { generate } from '@routemcp/api-key';
import autocannon from 'autocannon';

/** Answers since the last `take()`. */
export interface Tally {
  ok: number;
  /** Invalid keys refused as they should be: 401, 429 past the failed-auth budget, 503 while the keystore is out. */
  refused: number;
  /** Everything else, by status (or `error`), e.g. `{"500": 2}`. */
  unexpected: Record<string, number>;
  latenciesMs: number[];
}

export interface Load {
  /** The tally so far, and a fresh one from now on. */
  take(): Tally;
  /** Totals over the whole run. */
  readonly totals: { ok: number; refused: number; unexpected: Record<string, number> };
  done: Promise<void>;
  stop(): void;
}

const REFUSED = new Set([401, 429, 503]);
const empty = (): Tally => ({ ok: 0, refused: 0, unexpected: {}, latenciesMs: [] });

/**
 * Open-loop load at a fixed rate: `invalidPercent` of the requests carry a
 * key that must be refused (half unknown but well-formed, half malformed),
 * the rest one of the valid keys.
 */
export function startLoad(options: {
  url: string;
  rate: number;
  durationS: number;
  keys: readonly string[];
  invalidPercent: number;
}): Load {
  let tally = empty();
  const totals = { ok: 0, refused: 0, unexpected: {} as Record<string, number> };
  const unexpected = (what: string) => {
    tally.unexpected[what] = (tally.unexpected[what] ?? 0) + 1;
    totals.unexpected[what] = (totals.unexpected[what] ?? 0) + 1;
  };
  let next = 0;
  const instance = autocannon(
    {
      url: `${options.url}/api/v1/contacts?provider=hubspot`,
      connections: Math.min(100, Math.max(4, Math.round(options.rate / 10))),
      overallRate: options.rate,
      duration: options.durationS,
      timeout: 10,
      requests: [
        {
          setupRequest: (request, context) => {
            const state = context as { invalid?: boolean };
            state.invalid = Math.random() * 100 < options.invalidPercent;
            const key = state.invalid
              ? next % 2 === 0
                ? generate('live')
                : 'sk_live_malformed'
              : options.keys[next % options.keys.length]!;
            next++;
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${key}` } };
          },
          onResponse: (status, _body, context) => {
            const { invalid } = context as { invalid?: boolean };
            if (!(invalid ? REFUSED.has(status) : status === 200)) {
              unexpected(`${invalid ? 'invalid key' : 'valid key'} ${status}`);
            } else if (invalid) {
              tally.refused++;
              totals.refused++;
            } else {
              tally.ok++;
              totals.ok++;
            }
          },
        },
      ],
    },
    () => {
      // Results come from the events below; the callback only makes autocannon return its instance.
    },
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
    tally.latenciesMs.push(responseTime),
  );
  instance.on('reqError', () => unexpected('error'));
  const done = new Promise<void>((resolve) => instance.on('done', () => resolve()));
  return {
    take() {
      const taken = tally;
      tally = empty();
      return taken;
    },
    totals,
    done,
    stop: () => instance.stop(),
  };
}
