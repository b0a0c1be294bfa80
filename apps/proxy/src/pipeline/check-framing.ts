import type { IncomingMessage } from 'node:http';

type FramingInput = Pick<IncomingMessage, 'httpVersionMajor' | 'httpVersionMinor' | 'headers' | 'rawHeaders'>;

const HOST = 'host';

/**
 * What Node's strict parser lets through but a proxy must still refuse,
 * because the upstream could read the message differently than we did:
 * - a Transfer-Encoding other than exactly `chunked` (`gzip, chunked`, or a
 *   chunked HTTP/1.0 message): we decoded one chunked layer and would forward
 *   a coding the upstream might undo differently;
 * - more than one Host (RFC 9112 §3.2 requires a 400; Node keeps the first,
 *   another hop might keep the last);
 * - HTTP/1.1 without Host (RFC 9112 §3.2). The server turns Node's own check
 *   (`requireHostHeader`) off so this answer is the envelope, not Node's
 *   empty 400. HTTP/1.0 without Host is allowed, as the RFC allows it;
 * - a protocol version other than HTTP/1.0 or 1.1 (`HTTP/2.0` in a request
 *   line, HTTP/0.9's header-less form).
 */
export function badFraming(req: FramingInput): boolean {
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor > 1) return true;
  const coding = req.headers['transfer-encoding'];
  if (coding !== undefined && (req.httpVersionMinor === 0 || !isPlainChunked(coding))) return true;
  const hosts = hostCount(req.rawHeaders);
  return hosts > 1 || (hosts === 0 && req.httpVersionMinor === 1);
}

function isPlainChunked(coding: string): boolean {
  return coding.length === 7 && coding.toLowerCase() === 'chunked';
}

/** 0, 1, or 2 meaning "more than one". */
function hostCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length && count < 2; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === HOST.length && name.toLowerCase() === HOST) count++;
  }
  return count;
}
