import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { vitestConfig } from '../../vitest.shared.ts';

const shared = vitestConfig(import.meta.dirname, 'integration');
const globalSetup = [shared.test?.globalSetup ?? []].flat();

// Vitest only loads a default export. The second global setup builds the app images after the shared one has
// chosen the Redis image and the run label.
export default defineConfig({
  ...shared,
  test: { ...shared.test, globalSetup: [...globalSetup, resolve(import.meta.dirname, 'src/global-setup.ts')] },
});
