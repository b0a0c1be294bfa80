import { relative, resolve } from 'node:path';
import type { ViteUserConfig } from 'vitest/config';

const workspaceRoot = import.meta.dirname;

type Suite = 'test' | 'integration';

/**
 * One place for how every project runs vitest. Each run also writes a JSON
 * report under `reports/vitest/<projectRoot>/<suite>.json`, declared as the Nx
 * target's output, so `.ci/run` can total passed/failed across projects even
 * when Nx replays a cached run.
 */
export function vitestConfig(projectDir: string, suite: Suite = 'test'): ViteUserConfig {
  const projectRoot = relative(workspaceRoot, projectDir);
  const integration = suite === 'integration';
  return {
    test: {
      name: projectRoot,
      include: integration ? ['src/**/*.int.test.ts'] : ['src/**/*.test.ts'],
      exclude: integration ? [] : ['src/**/*.int.test.ts', 'node_modules/**'],
      reporters: ['default', 'json'],
      outputFile: { json: resolve(workspaceRoot, 'reports/vitest', projectRoot, `${suite}.json`) },
      testTimeout: integration ? 120_000 : 10_000,
      hookTimeout: integration ? 180_000 : 10_000,
      ...(integration
        ? { fileParallelism: false, globalSetup: [resolve(workspaceRoot, 'libs/testing/src/global-setup.ts')] }
        : {}),
    },
  };
}
