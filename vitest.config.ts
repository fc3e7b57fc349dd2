import { defineConfig } from 'vitest/config';
import PlainSummaryReporter from './test/plain-summary-reporter';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'lib/**/*.test.ts', 'runtime-layer/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn real servers; two cores cannot run many of them at once.
    maxWorkers: 2,
    // Builds dist/ and runtime-layer/dist/layer first: integration tests run the real CLI, CDK app and adapter.
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', new PlainSummaryReporter()],
  },
});
