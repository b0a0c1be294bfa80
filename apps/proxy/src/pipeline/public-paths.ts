import { canonicalTarget, pathOf, type CanonicalPath } from '@routemcp/internal-api';

/** True for a canonical path that is exactly one of the configured public paths. */
export type PublicPathMatcher = (path: CanonicalPath) => boolean;

const NONE: PublicPathMatcher = () => false;

/** Configured paths are brought to canonical form once, here, so `/a//b` in the config matches `/a/b`. */
export function createPublicPathMatcher(paths: readonly string[]): PublicPathMatcher {
  const exact = new Set<string>();
  for (const path of paths) {
    const canonical = canonicalTarget(path);
    if (canonical === null) throw new Error(`PUBLIC_PATHS: ${JSON.stringify(path)} is not a plain path`);
    exact.add(pathOf(canonical));
  }
  if (exact.size === 0) return NONE;
  return (path) => exact.has(path);
}
