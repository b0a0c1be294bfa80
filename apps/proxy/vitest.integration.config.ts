import { defineConfig } from 'vitest/config';
// The shared vitest settings live at the workspace root, outside any project
// (eslint.config.mjs exempts only files named vitest.config.ts).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { vitestConfig } from '../../vitest.shared.ts';

// Vitest only loads a default export.
// eslint-disable-next-line no-restricted-syntax
export default defineConfig(vitestConfig(import.meta.dirname, 'integration'));
