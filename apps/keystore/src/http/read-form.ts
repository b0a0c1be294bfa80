import type { IncomingMessage } from 'node:http';
import { HttpError } from '@routemcp/errors';

const FORM_LIMIT = 16 * 1024;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** Reads an HTML form post (urlencoded, small). Anything else is a 415 or 413. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > FORM_LIMIT) throw new HttpError('PAYLOAD_TOO_LARGE');
  if (!FORM_TYPE.test(req.headers['content-type'] ?? '')) {
    throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT) throw new HttpError('PAYLOAD_TOO_LARGE');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
