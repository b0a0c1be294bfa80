import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kustomizationChain, variantDir, workspaceRoot } from './manifests.ts';

/**
 * The file each variant on PostgreSQL reads its database URL from. Users create it by hand
 * (`cp ….example …`) as docs/deploying.md says, so it must not move when the manifests are reorganised:
 * a moved file leaves theirs unread and `kubectl apply -k` failing.
 */
const DATABASE_ENV = [
  ['deploy/ha', 'deploy/ha/database.env'],
  ['deploy/ha-sample-postgres', 'deploy/ha/database.env'],
  ['deploy/forward-auth-ha', 'deploy/forward-auth-ha/database.env'],
] as const;

const docs = readFileSync(join(workspaceRoot, 'docs', 'deploying.md'), 'utf8');

/** Every env file a `keystore-database` generator of the variant or its bases reads, relative to the workspace. */
function databaseEnvs(variant: string): string[] {
  return kustomizationChain(variantDir(variant)).flatMap(({ dir, kustomization }) =>
    (kustomization.secretGenerator ?? [])
      .filter((generator) => generator.name === 'keystore-database')
      .flatMap((generator) => (generator.envs ?? []).map((env) => relative(workspaceRoot, join(dir, env)))),
  );
}

describe.each(DATABASE_ENV)('%s/', (variant, path) => {
  it(`generates the keystore-database Secret from ${path} alone`, () => {
    expect(databaseEnvs(variant)).toEqual([path]);
  });

  it('has docs/deploying.md tell users to create that file, and git ignore it', () => {
    expect(docs).toContain(`cp ${path}.example ${path}`);
    // Exit status 0: ignored. 1 (not ignored) throws.
    expect(() => execFileSync('git', ['check-ignore', '--quiet', path], { cwd: workspaceRoot })).not.toThrow();
  });
});
