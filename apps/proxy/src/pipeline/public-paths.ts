import { normalisePath } from './normalise-path.ts';

/** True for a request target whose normalised path is exactly one of the configured public paths. */
export type PublicPathMatcher = (target: string) => boolean;

const NONE: PublicPathMatcher = () => false;

export function createPublicPathMatcher(paths: readonly string[]): PublicPathMatcher {
  const exact = new Set<string>();
  for (const path of paths) {
    const normal = normalisePath(path);
    if (normal === null) throw new Error(`PUBLIC_PATHS: ${JSON.stringify(path)} is not a plain path`);
    exact.add(normal);
  }
  if (exact.size === 0) return NONE;
  return (target) => {
    const normal = normalisePath(target);
    return normal !== null && exact.has(normal);
  };
}
