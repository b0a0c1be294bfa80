/**
 * What the pipeline reads from a request's header block, gathered in one
 * pass over `rawHeaders` (the client's own names and order). Repeated
 * fields are joined with `, ` as Node does for list fields, so a second
 * `Transfer-Encoding` or `Connection` cannot hide behind the first one; a
 * repeated `Authorization` or `Host` is counted, because two credentials or
 * two hosts are refused, never picked from.
 */
export interface RequestHead {
  authorization: string | undefined;
  /** How many Authorization fields: exactly one is acceptable. */
  authorizations: number;
  host: string | undefined;
  hosts: number;
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  connection: string | undefined;
  expect: string | undefined;
  upgrade: string | undefined;
  requestId: string | undefined;
  /** Read only from a trusted proxy (ClientAddresses). */
  forwardedFor: string | undefined;
}

/** One pass over the client's raw header list. */
export function readHead(rawHeaders: readonly string[]): RequestHead {
  const head: RequestHead = {
    authorization: undefined,
    authorizations: 0,
    host: undefined,
    hosts: 0,
    contentLength: undefined,
    transferEncoding: undefined,
    connection: undefined,
    expect: undefined,
    upgrade: undefined,
    requestId: undefined,
    forwardedFor: undefined,
  };
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Only these lengths can be a field we read: most headers cost one switch.
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          head.hosts++;
          head.host ??= rawHeaders[i + 1]!;
        }
        break;
      case 6:
        if (name.toLowerCase() === 'expect') head.expect = joined(head.expect, rawHeaders[i + 1]!);
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') head.upgrade = joined(head.upgrade, rawHeaders[i + 1]!);
        break;
      case 10:
        if (name.toLowerCase() === 'connection') head.connection = joined(head.connection, rawHeaders[i + 1]!);
        break;
      case 12:
        if (name.toLowerCase() === 'x-request-id') head.requestId ??= rawHeaders[i + 1]!;
        break;
      case 15:
        if (name.toLowerCase() === 'x-forwarded-for') head.forwardedFor = joined(head.forwardedFor, rawHeaders[i + 1]!);
        break;
      case 13:
        if (name.toLowerCase() === 'authorization') {
          head.authorizations++;
          head.authorization ??= rawHeaders[i + 1]!;
        }
        break;
      case 14:
        // Node's parser refuses two Content-Length fields, so the first is the only one.
        if (name.toLowerCase() === 'content-length') head.contentLength ??= rawHeaders[i + 1]!;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding')
          head.transferEncoding = joined(head.transferEncoding, rawHeaders[i + 1]!);
        break;
    }
  }
  return head;
}

function joined(previous: string | undefined, value: string): string {
  return previous === undefined ? value : `${previous}, ${value}`;
}

/** The request carries a body: a length above zero, or chunked framing. */
export function hasBody(head: RequestHead): boolean {
  return head.transferEncoding !== undefined || (head.contentLength !== undefined && head.contentLength !== '0');
}
