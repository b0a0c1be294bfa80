import type { IncomingMessage } from 'node:http';
import { HttpError } from '@routemcp/errors';
import { readBody } from './read-body.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a JSON body. No body at all → undefined (routes treat it as `{}`).
 * Too large → 413 (checked on Content-Length up front, then counted), not
 * JSON-typed → 415, unparsable → 400.
 */
export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw new HttpError('PAYLOAD_TOO_LARGE');
  const hasBody = (declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new HttpError('UNSUPPORTED_MEDIA_TYPE');

  const body = await readBody(req, limit);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError('BAD_REQUEST', 'body: invalid JSON');
  }
}
