import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { leakReportSchema, leakResultSchema } from '../leaks/leak-input.ts';
import { errorEnvelopeSchema, errors, json, success } from './envelopes.ts';

/** `POST /v1/leaks` (issue 24). GitHub's own endpoint, `/v1/leaks/github`, is GitHub's contract: docs/leaks.md. */
export const leakPaths: ZodOpenApiPathsObject = {
  '/v1/leaks': {
    post: {
      tags: ['leaks'],
      security: [{ adminToken: [] }, { managementToken: [] }, { session: [], csrfToken: [] }],
      operationId: 'reportLeaks',
      summary: 'Report keys found in public',
      description:
        "For gitleaks, TruffleHog or GitGuardian pipelines. Each of your keys is flagged (`leak` on the key, an audit entry) and handled as its environment's `KEYSTORE_LEAK_ACTION_*` says; anything else is a `false_positive`. The first report of a key wins; reporting it again changes nothing. A session reports for its own account only; a role needs `leaks.report`.",
      requestBody: {
        required: true,
        description: 'The keys (or their SHA-256) and where they were found',
        content: { 'application/json': { schema: leakReportSchema } },
      },
      responses: {
        200: json('One result per item: `keys` first, then `keyHashes`', success(z.array(leakResultSchema))),
        ...errors(
          'BAD_REQUEST',
          'UNAUTHORIZED',
          'FORBIDDEN',
          'PAYLOAD_TOO_LARGE',
          'UNSUPPORTED_MEDIA_TYPE',
          'SERVICE_UNAVAILABLE',
        ),
        413: json('PAYLOAD_TOO_LARGE: The body is larger than 1 MiB', errorEnvelopeSchema),
      },
    },
  },
};
