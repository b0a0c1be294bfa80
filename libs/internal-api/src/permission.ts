/** RFC 9110 `token`: what an HTTP method may be spelled with. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 3986 `pchar` without `*` (a whole-segment wildcard only) and without `%` (checked apart). */
const LITERAL_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;

export const PERMISSION_FORMAT =
  '"METHOD /path" (METHOD a method or *; path segments literal or *, a trailing /** any rest)';

/**
 * Why `text` is not a permission, or undefined when it is. A permission is
 * `METHOD /path`: METHOD an HTTP method token or `*`; `/path` made of
 * literal segments, `*` (exactly one segment) and an optional trailing `**`
 * (any rest, including nothing). No query, no encoded slash, no dot segments:
 * the proxy matches on its normalised path, which has none of them.
 */
export function permissionProblem(text: string): string | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) return `expected ${PERMISSION_FORMAT}`;
  const [method, path] = parts as [string, string];
  if (method !== '*' && !METHOD_TOKEN.test(method)) return `"${method}" is not an HTTP method or *`;
  if (!path.startsWith('/')) return 'the path must start with /';
  if (path === '/') return undefined;
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment === '**') {
      if (i !== segments.length - 1) return '** is allowed only as the last segment';
      continue;
    }
    if (segment === '*') continue;
    if (segment === '') return 'the path has an empty segment (// or a trailing /)';
    if (segment === '.' || segment === '..') return 'the path may not contain . or .. segments';
    if (/%2f/i.test(segment)) return 'the path may not contain an encoded slash (%2F)';
    if (segment.includes('?') || segment.includes('#')) return 'the path may not contain a query or fragment';
    if (segment.includes('*')) return '* must be a whole segment';
    if (!LITERAL_SEGMENT.test(segment)) return `"${segment}" is not a valid path segment`;
  }
  return undefined;
}

/** The stored form: method upper-cased, one space, no surrounding blanks. Assumes `permissionProblem` found none. */
export function normalisePermission(text: string): string {
  const [method = '', path = ''] = text.trim().split(/\s+/);
  return `${method.toUpperCase()} ${path}`;
}
