import { z } from 'zod';
import { ACCOUNT_ID } from '../ids.ts';
import type { AuditPosition, AuditSelection } from './audit-pages.ts';
import { decodeCursor } from './audit-cursor.ts';

export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 200;
/** `key.created`, `login.failed`: lower-case words joined by dots. */
const ACTION = /^[a-z][a-z_]*(\.[a-z][a-z_]*)*$/;
const MAX_ACTIONS = 20;
const LIMIT_ERROR = `expected an integer 1..${AUDIT_MAX_LIMIT}`;

const actionSchema = z.string().regex(ACTION, { error: 'expected actions such as key.created,login.failed' });
const cursorSchema = z
  .string()
  .refine((c) => decodeCursor(c) !== undefined, { error: 'expected the nextCursor of a previous page' });

const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time, e.g. 2026-12-01T00:00:00Z' });
const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(320, { error: `expected ${what} of at most 320 characters` });

/**
 * `GET /v1/audit-log`'s query. `action` may repeat or list several with
 * commas; an unknown action is not refused (the log gains actions over time,
 * and a SIEM may ask for one before it first happens), a malformed one is.
 */
export const auditQuerySchema = z.strictObject({
  accountId: z
    .string()
    .regex(ACCOUNT_ID, { error: 'expected 1-64 characters from A-Z a-z 0-9 _ -' })
    .optional()
    .meta({ description: 'The operator only: one account. A session always sees its own account.' }),
  actor: text('an actor')
    .optional()
    .meta({ description: "A member's email, `operator` or `cli`", example: 'dev@example.com' }),
  action: z
    .array(actionSchema)
    .min(1, { error: 'expected at least one action' })
    .max(MAX_ACTIONS, { error: `expected at most ${MAX_ACTIONS} actions` })
    .optional()
    .meta({
      description: 'One or several, repeated (`action=a&action=b`) or comma-separated',
      example: ['key.created'],
    }),
  target: text('a target').optional().meta({ description: 'What the action was about, e.g. a key id' }),
  since: isoTime.optional().meta({ description: 'Entries at or after this time' }),
  until: isoTime.optional().meta({ description: 'Entries before this time' }),
  limit: z.coerce
    .number({ error: LIMIT_ERROR })
    .int({ error: LIMIT_ERROR })
    .min(1, { error: LIMIT_ERROR })
    .max(AUDIT_MAX_LIMIT, { error: LIMIT_ERROR })
    .optional()
    .meta({ description: `Entries per page, default ${AUDIT_DEFAULT_LIMIT}` }),
  cursor: cursorSchema
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page: the next older entries' }),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** The query string as the schema reads it: `action` may repeat and list several; any other field is read once. */
export function auditQueryInput(params: URLSearchParams): Record<string, string | string[]> {
  const input: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    input[name] =
      name === 'action'
        ? params.getAll(name).flatMap((value) => value.split(',').filter((a) => a !== ''))
        : (params.get(name) ?? '');
  }
  return input;
}

/** What a parsed query selects and where its page starts; `accountId` is the caller's scope, already decided. */
export function auditRequest(
  query: AuditQuery,
  accountId: string | undefined,
): { selection: AuditSelection; position: AuditPosition; limit: number } {
  const seq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  return {
    selection: {
      accountId,
      actor: query.actor,
      actions: query.action,
      target: query.target,
      since: query.since === undefined ? undefined : Date.parse(query.since),
      until: query.until === undefined ? undefined : Date.parse(query.until),
    },
    position: seq === undefined ? { from: 'newest' } : { from: 'older', seq },
    limit: query.limit ?? AUDIT_DEFAULT_LIMIT,
  };
}

/** The dashboard's Audit log page: its form's actor and action (empty: any), and where the page starts. */
export const auditPageQuerySchema = z.object({
  actor: z
    .string()
    .max(320, { error: 'expected an actor of at most 320 characters' })
    .transform((actor) => actor.trim() || undefined)
    .optional(),
  action: z
    .string()
    .refine((action) => action === '' || ACTION.test(action), { error: 'expected one of the listed actions' })
    .transform((action) => action || undefined)
    .optional(),
  older: cursorSchema.optional(),
  newer: cursorSchema.optional(),
});
