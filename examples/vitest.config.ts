import { defineConfig } from 'vitest/config';

// Examples are not a workspace package; this config runs their end-to-end tests from examples/.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 } });
