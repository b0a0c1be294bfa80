import { z } from 'zod';

/** A token bucket: capacity is the largest burst, refilled at refillPerSecond. */
export const rateLimitSchema = z.object({
  capacity: z.number().int().positive(),
  refillPerSecond: z.number().positive(),
});

export type RateLimit = z.infer<typeof rateLimitSchema>;
