import { z } from 'zod';
import { errorCatalog, type ErrorCode } from '@routemcp/errors';
import type { ZodOpenApiResponseObject } from 'zod-openapi';

const codes = Object.keys(errorCatalog) as [ErrorCode, ...ErrorCode[]];

/** The one error body of every failure (`@routemcp/errors`). */
export const errorEnvelopeSchema = z
  .object({
    success: z.literal(false),
    statusCode: z.number().int(),
    message: z.string().meta({ description: 'For a 400: `<field>: <what is wrong>`, e.g. `quota.limit: expected …`' }),
    code: z.enum(codes),
  })
  .meta({ id: 'Error', example: { success: false, statusCode: 404, message: 'Key not found', code: 'NOT_FOUND' } });

/** `{"success":true,"data":…}`: every answer that is not an error. */
export const success = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });

export const json = <T extends z.ZodType>(description: string, schema: T): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

const WHEN: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'A field is wrong; the message names it',
  UNAUTHORIZED: 'No admin token, no valid management token and no dashboard session',
  FORBIDDEN:
    "The caller's role does not allow it, or a session call that changes something without a valid X-CSRF-Token (or from another origin)",
  NOT_FOUND: "No such key, or another account's key (a session sees its own account only)",
  CONFLICT: 'The key cannot be rolled (revoked or expired)',
  PAYLOAD_TOO_LARGE: 'The body is larger than 64 KiB',
  UNSUPPORTED_MEDIA_TYPE: 'A body that is not application/json',
  SERVICE_UNAVAILABLE: 'The database does not answer',
};

/** Error responses by status; codes sharing a status (never here) would share one entry. */
export function errors(...list: ErrorCode[]): Record<string, ZodOpenApiResponseObject> {
  return Object.fromEntries(
    list.map((code) => [
      String(errorCatalog[code].statusCode),
      json(`${code}: ${WHEN[code] ?? errorCatalog[code].message}`, errorEnvelopeSchema),
    ]),
  );
}
