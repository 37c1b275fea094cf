import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'functions/**/*.test.ts',
      'media-service/**/*.test.ts',
      'infra/**/*.test.ts',
      'test/**/*.test.ts',
      'console/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share two cores with the emulators.
    maxWorkers: 2,
  },
});
