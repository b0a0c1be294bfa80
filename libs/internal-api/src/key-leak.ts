import { z } from 'zod';

/** Longest `url` a leak report may carry (GitHub's are blob URLs, well under this). */
export const MAX_LEAK_URL = 2048;
/** Longest `source` (GitHub sends `content`, `commit`, `pull_request`, …; scanners their own name). */
export const MAX_LEAK_SOURCE = 100;

/** May be empty: a GitHub report on a location with no URL is still a leak. */
export const leakUrlSchema = z.string().max(MAX_LEAK_URL);
export const leakSourceSchema = z.string().min(1).max(MAX_LEAK_SOURCE);

/**
 * Where and when a key was first reported found in public (issue 24), as the
 * management API shows it on `Key.leak`; later reports of the same key do not
 * replace it.
 */
export const keyLeakSchema = z
  .object({
    at: z.iso.datetime({ offset: true }).meta({ description: 'When the first report arrived.' }),
    url: leakUrlSchema.meta({ description: 'Where the key was found, as the reporter gave it.' }),
    source: leakSourceSchema.meta({ description: 'What reported it: e.g. `github:content`, `gitleaks`.' }),
  })
  .meta({ id: 'KeyLeak' });
export type KeyLeakView = z.infer<typeof keyLeakSchema>;

/** GitHub's secret-scanning answer vocabulary, used by both leak endpoints. */
export const LEAK_LABELS = ['true_positive', 'false_positive'] as const;
export const leakLabelSchema = z.enum(LEAK_LABELS);
export type LeakLabel = z.infer<typeof leakLabelSchema>;
