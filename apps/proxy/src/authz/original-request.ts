/** The original request's method and target, as the gateway reported them to `/authz`. */
export interface Original {
  method: string;
  target: string;
}

/** Not a request for `/authz`: answered 404. */
export const NOT_AUTHZ = 'not-authz';
/** Two values for one of the headers we read: which one the gateway meant is unknown, so 400. */
export const AMBIGUOUS = 'ambiguous';

const PREFIX = '/authz';
const SLASH = 0x2f;
const QUESTION = 0x3f;

/**
 * Reads, in this order (one pass over the header list, no lookups):
 * X-Forwarded-Method + X-Forwarded-Uri (Traefik, Caddy, APISIX), then
 * X-Original-Method + X-Original-URI (nginx, as docs/forward-auth.md sets
 * them), else the request's own method and the path after `/authz` (Envoy's
 * HTTP service with `path_prefix: /authz`). A pair is used when its URI is
 * there; its method, when missing, is the request's own.
 *
 * The gateway must set (or clear) the pair it uses and the ones before it:
 * nginx passes the client's headers to the subrequest, so a client's own
 * X-Forwarded-Uri would otherwise name the path that gets checked.
 */
export function originalRequest(
  ownMethod: string,
  ownUrl: string,
  rawHeaders: readonly string[],
): Original | typeof NOT_AUTHZ | typeof AMBIGUOUS {
  if (!ownUrl.startsWith(PREFIX)) return NOT_AUTHZ;
  // `/authz`, `/authz/…`, `/authz?…`; not `/authzfoo`.
  if (ownUrl.length > PREFIX.length) {
    const after = ownUrl.charCodeAt(PREFIX.length);
    if (after !== SLASH && after !== QUESTION) return NOT_AUTHZ;
  }
  let forwardedMethod: string | undefined;
  let forwardedUri: string | undefined;
  let originalMethod: string | undefined;
  let originalUri: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Only these lengths can be one of the four names: most headers cost one switch.
    switch (name.length) {
      case 15:
        if (name.toLowerCase() === 'x-forwarded-uri') {
          if (forwardedUri !== undefined) return AMBIGUOUS;
          forwardedUri = rawHeaders[i + 1]!;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'x-original-uri') {
          if (originalUri !== undefined) return AMBIGUOUS;
          originalUri = rawHeaders[i + 1]!;
        }
        break;
      case 18:
        if (name.toLowerCase() === 'x-forwarded-method') {
          if (forwardedMethod !== undefined) return AMBIGUOUS;
          forwardedMethod = rawHeaders[i + 1]!;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'x-original-method') {
          if (originalMethod !== undefined) return AMBIGUOUS;
          originalMethod = rawHeaders[i + 1]!;
        }
        break;
    }
  }
  // An empty value is a cleared header (nginx's `proxy_set_header X-Forwarded-Uri ""` sends none; others may send it empty).
  if (forwardedUri !== undefined && forwardedUri !== '')
    return { method: forwardedMethod || ownMethod, target: forwardedUri };
  if (originalUri !== undefined && originalUri !== '')
    return { method: originalMethod || ownMethod, target: originalUri };
  const rest = ownUrl.slice(PREFIX.length);
  return { method: ownMethod, target: rest === '' ? '/' : rest.charCodeAt(0) === QUESTION ? `/${rest}` : rest };
}
