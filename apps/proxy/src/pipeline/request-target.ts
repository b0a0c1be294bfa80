/** The request line's target; `url` is rewritten in place. */
export interface TargetInput {
  url?: string | undefined;
}

const ABSOLUTE = /^https?:\/\/([^/?#@\s]+)((?:[/?][^#]*)?)$/i;
/** host or [v6], optional port: what RFC 3986 allows as an authority without userinfo. */
const AUTHORITY = /^(?:[a-z0-9._~!$&'()*+,;=%-]+|\[[0-9a-f:.]+\])(?::\d{0,5})?$/i;

/**
 * Brings the request target to origin-form (RFC 9112 §3.2), so the public-path
 * check, the logs and the upstream all read the same path:
 * - origin-form (`/path?query`) is left alone (the fast path);
 * - absolute-form (`http://host/path?query`) becomes `/path?query`, and, as
 *   RFC 9112 §3.2.2 asks of the server that receives it, the target's
 *   authority replaces Host.
 *
 * Anything else is refused: false. That includes a relative path, userinfo
 * in the authority, another scheme, and asterisk-form (`OPTIONS *`): it names
 * no path a permission or public path could cover, and the upstream URL's
 * path prefix cannot be put in front of it.
 */
export function toOriginForm(req: TargetInput, head: { host: string | undefined }): boolean {
  const url = req.url ?? '';
  if (url.charCodeAt(0) === 0x2f /* / */) return true;
  const absolute = ABSOLUTE.exec(url);
  if (absolute === null || !AUTHORITY.test(absolute[1]!)) return false;
  const rest = absolute[2]!;
  req.url = rest === '' ? '/' : rest.charCodeAt(0) === 0x3f /* ? */ ? `/${rest}` : rest;
  head.host = absolute[1]!;
  return true;
}
