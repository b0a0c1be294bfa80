import { createClient } from 'redis';
import { takeTokensScript } from './take-tokens-script.ts';

/** The bench key's bucket (the keystore's largest): one hot key that never runs dry, like the proxy's. */
export const FLOOR_BUCKET = { key: 'routemcp:bench:floor', capacity: 1_000_000, refillPerSecond: 1_000_000 };

export interface FloorBucket {
  /** One EVALSHA; true when the bucket let the request through. */
  take(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * node-redis with the script registered the way the proxy registers it, and
 * its per-command timeout off as the proxy has it (an AbortSignal per
 * command otherwise), so the floor pays for the round trip and nothing else.
 */
export async function connectFloorBucket(redisUrl: string): Promise<FloorBucket> {
  const client = createClient({
    url: redisUrl,
    scripts: { takeTokens: takeTokensScript },
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
  });
  await client.connect();
  const { key, capacity, refillPerSecond } = FLOOR_BUCKET;
  return {
    take: async () => (await client.takeTokens(key, 'floor', capacity, refillPerSecond))[0] === 1,
    close: async () => client.destroy(),
  };
}
