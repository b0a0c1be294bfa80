import { defineConfig } from 'vitest/config';
import { vitestConfig } from '../../vitest.shared.ts';

// Vitest only loads a default export.
export default defineConfig(vitestConfig(import.meta.dirname));
