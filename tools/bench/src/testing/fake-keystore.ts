import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { KeyRecord } from '../baselines/cached-key-lookup.ts';
import { listenLocal } from './echo-upstream.ts';

export const TEST_SERVICE_TOKEN = 'bench-test-service-token';

/** A syntactically valid live key; the gateways only check its shape and look its hash up. */
export const TEST_KEY = `sk_live_${'a'.repeat(40)}`;

export const TEST_RECORD: KeyRecord = {
  id: 'key_bench',
  accountId: 'acct_bench',
  environment: 'live',
  status: 'active',
  rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
};

export interface FakeKeystore extends AsyncDisposable {
  url: string;
  /** Lookups it answered. */
  lookups: () => number;
}

/** The keystore's internal lookup (docs/internal-api.md) for one key, TEST_KEY; 404 for any other hash. */
export async function startFakeKeystore(): Promise<FakeKeystore> {
  const known = `/internal/v1/keys/${createHash('sha256').update(TEST_KEY).digest('hex')}`;
  let lookups = 0;
  const server = createServer((req, res) => {
    lookups++;
    const status = req.headers.authorization !== `Bearer ${TEST_SERVICE_TOKEN}` ? 401 : req.url === known ? 200 : 404;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { success: true, data: TEST_RECORD } : { success: false }));
  });
  const url = await listenLocal(server);
  return {
    url,
    lookups: () => lookups,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      server.close();
    },
  };
}
