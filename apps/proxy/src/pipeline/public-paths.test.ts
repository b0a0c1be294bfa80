import { canonicalTarget, pathOf } from '@routemcp/internal-api';
import { describe, expect, it } from 'vitest';
import { createPublicPathMatcher } from './public-paths.ts';

describe('createPublicPathMatcher', () => {
  const matcher = createPublicPathMatcher(['/health', '/docs/openapi.json', '/a//b/./c']);
  /** As the pipeline asks it: on the canonical path, a target with none being refused before. */
  const isPublic = (target: string) => {
    const canonical = canonicalTarget(target);
    return canonical !== null && matcher(pathOf(canonical));
  };

  it('matches exact canonical paths, ignoring the query', () => {
    expect(isPublic('/health')).toBe(true);
    expect(isPublic('/health?verbose=1')).toBe(true);
    expect(isPublic('/a/b/c')).toBe(true);
    expect(isPublic('/docs/./openapi.json')).toBe(true);
    expect(isPublic('/%68ealth')).toBe(true);
  });

  it('does not match prefixes, suffixes or tricks', () => {
    expect(isPublic('/health/')).toBe(false);
    expect(isPublic('/healthz')).toBe(false);
    expect(isPublic('/health/../api/v1/contacts')).toBe(false);
    expect(isPublic('/health%2f..%2fapi')).toBe(false);
    expect(isPublic('/api/v1/contacts')).toBe(false);
  });

  it('matches nothing when no path is configured', () => {
    expect(createPublicPathMatcher([])(pathOf(canonicalTarget('/health')!))).toBe(false);
  });

  it('refuses a configured path that is not plain', () => {
    expect(() => createPublicPathMatcher(['/a/%2e%2e/b'])).toThrow(/PUBLIC_PATHS/);
    expect(() => createPublicPathMatcher(['//health'])).toThrow(/PUBLIC_PATHS/);
  });
});
