import { defineConfig } from 'vitest/config';

// dawn.node is a native addon: run test files in child processes, not worker threads.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], pool: 'forks', testTimeout: 180_000, hookTimeout: 180_000 } });
