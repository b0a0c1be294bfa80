/**
 * The tests' own oracle for "a plain path", written apart from
 * `canonicalTarget` so the differential suites do not grade it by itself: what
 * is wrong with the path part of `target` that an upstream could read as
 * another path, or null when nothing is.
 */
export function plainPathProblem(target: string): string | null {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.startsWith('/')) return 'not origin-form';
  if (path.startsWith('//')) return 'leading //';
  if (path.includes('\\')) return 'backslash';
  if (path.includes('#')) return 'fragment';
  if (/%(2f|5c|2e)/i.test(path)) return 'encoded / \\ or .';
  const segments = path.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '' && i < segments.length - 1) return 'empty segment';
    if (segment === '.' || segment === '..') return 'dot segment';
    if (/^\.\.?(;|%3b)/i.test(segment)) return 'dot segment with parameters';
  }
  return null;
}

/** The path part of a request target. */
export function pathPart(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
