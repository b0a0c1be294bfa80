import type { RequestHead } from './request-head.ts';

/** The protocol version from the request line. */
export interface RequestVersion {
  httpVersionMajor: number;
  httpVersionMinor: number;
}

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
export function badFraming(version: RequestVersion, head: RequestHead): boolean {
  if (version.httpVersionMajor !== 1 || version.httpVersionMinor > 1) return true;
  const coding = head.transferEncoding;
  if (coding !== undefined && (version.httpVersionMinor === 0 || !isPlainChunked(coding))) return true;
  return head.hosts > 1 || (head.hosts === 0 && version.httpVersionMinor === 1);
}

function isPlainChunked(coding: string): boolean {
  return coding.length === 7 && coding.toLowerCase() === 'chunked';
}
