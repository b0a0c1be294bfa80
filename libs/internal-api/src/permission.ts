import { canonicalForm, type TargetRefusal } from './canonical-target.ts';

/** RFC 9110 `token`: what an HTTP method may be spelled with. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 3986 `pchar` without `*` (a whole-segment wildcard only) and without `%` (checked apart). */
const LITERAL_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;

export const PERMISSION_FORMAT =
  '"METHOD /path" (METHOD a method or *; path segments literal or *, a trailing /** any rest)';

/** What each refusal is called in a message ("the path may not contain …"). */
const REFUSAL_TEXT: Record<TargetRefusal, string> = {
  'not-origin-form': 'anything before its first /',
  'leading-double-slash': 'a leading //',
  'dot-segment-parameters': 'a . or .. segment with parameters (.;x, ..;, ..%3B)',
  'encoded-slash': 'an encoded slash (%2F)',
  'encoded-backslash': 'an encoded backslash (%5C)',
  'encoded-dot': 'an encoded dot (%2E)',
  backslash: 'a backslash',
  fragment: 'a query or fragment',
  'bad-escape': 'a bad % escape',
  'above-root': 'a .. above the root',
};

/**
 * Why `text` is not a permission a key may be saved with, or undefined when
 * it is one. A permission is `METHOD /path`: METHOD an HTTP method token or
 * `*`; `/path` made of literal segments, `*` (exactly one segment) and an
 * optional trailing `**` (any rest, including nothing). The proxy matches
 * permissions against the canonical request path (`canonicalTarget`), so a
 * path is accepted only when it is already canonical: for a path that
 * canonicalisation would change (`%7E`, `%c3`) the message names the
 * canonical spelling; a path with no canonical form (`%2E`, `..;`, `%5C`)
 * could never match.
 */
export function permissionProblem(text: string): string | undefined {
  const problem = permissionSyntaxProblem(text);
  if (problem !== undefined) return problem;
  const path = text.trim().split(/\s+/)[1] as string;
  const canonical = canonicalForm(path);
  if (!canonical.ok) return `the path may not contain ${REFUSAL_TEXT[canonical.refused]}`;
  if (canonical.target !== path) return `the path is not in canonical form: write it as ${canonical.target}`;
  return undefined;
}

/**
 * Why `text` is not shaped as a permission, canonical or not: what a proxy
 * accepts from the keystore, which may hold permissions saved before they
 * had to be canonical (the proxy canonicalises each one, and one with no
 * canonical form matches nothing).
 */
export function permissionSyntaxProblem(text: string): string | undefined {
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
    if (/%2f/i.test(segment)) return `the path may not contain ${REFUSAL_TEXT['encoded-slash']}`;
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
