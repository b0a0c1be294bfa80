import { z } from 'zod';
import {
  MAX_LEAK_SOURCE,
  keyHashSchema,
  leakLabelSchema,
  leakSourceSchema,
  leakUrlSchema,
} from '@routemcp/internal-api';

/** GitHub batches up to 1000 matches; the 5 MiB body bound is what really limits a report. */
export const MAX_GITHUB_MATCHES = 10_000;
export const GITHUB_BODY_LIMIT = 5 * 1024 * 1024;
/** Items of one `POST /v1/leaks`, keys and hashes together. */
export const MAX_REPORTED = 1000;
export const REPORT_BODY_LIMIT = 1024 * 1024;
/** Longer than any key of ours, so a longer "token" is not one; bounded so a report cannot make us hash megabytes. */
const MAX_TOKEN = 1024;

/** `source` as stored for a GitHub report: `github:content`, `github:commit`, … */
export const GITHUB_SOURCE_PREFIX = 'github:';

/** What GitHub posts to `POST /v1/leaks/github`; fields we do not use are let through. */
export const githubReportSchema = z
  .array(
    z
      .object({
        token: z.string().max(MAX_TOKEN),
        type: z.string().max(200),
        url: leakUrlSchema.default(''),
        source: z
          .string()
          .max(MAX_LEAK_SOURCE - GITHUB_SOURCE_PREFIX.length)
          .default(''),
      })
      .loose(),
  )
  .max(MAX_GITHUB_MATCHES);

/** GitHub's expected answer: one entry per match, in order. */
export const githubVerdictSchema = z.object({
  token_hash: keyHashSchema,
  token_type: z.string(),
  label: leakLabelSchema,
});
export type GithubVerdict = z.infer<typeof githubVerdictSchema>;

/** `POST /v1/leaks`: what gitleaks, TruffleHog or GitGuardian found, as keys or as their SHA-256. */
export const leakReportSchema = z
  .strictObject({
    keys: z
      .array(z.string().min(1).max(MAX_TOKEN), { error: 'expected an array of strings' })
      .max(MAX_REPORTED)
      .optional()
      .meta({ description: 'The keys as found. Only their SHA-256 is kept.' }),
    keyHashes: z
      .array(keyHashSchema)
      .max(MAX_REPORTED)
      .optional()
      .meta({ description: 'SHA-256 hex of keys, for a scanner that keeps no plaintext.' }),
    url: leakUrlSchema.min(1, { error: 'expected where the keys were found (1-2048 characters)' }),
    source: leakSourceSchema.meta({ description: 'What found them, e.g. `gitleaks`.' }),
  })
  .refine(
    (body) => {
      const count = (body.keys?.length ?? 0) + (body.keyHashes?.length ?? 0);
      return count >= 1 && count <= MAX_REPORTED;
    },
    { error: `expected 1..${MAX_REPORTED} items in keys and keyHashes together`, path: ['keys'] },
  );

export const leakResultSchema = z
  .object({
    keyHash: keyHashSchema.meta({ description: 'SHA-256 hex of the reported key (or the hash as reported).' }),
    label: leakLabelSchema.meta({ description: '`true_positive`: one of your keys; it is flagged and handled.' }),
    keyId: z.string().nullable().meta({ description: 'The key, when it is one of yours.' }),
  })
  .meta({ id: 'LeakResult' });
