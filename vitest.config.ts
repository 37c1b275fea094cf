import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'functions/**/*.test.ts',
      'media-service/**/*.test.ts',
      'infra/**/*.test.ts',
      'test/**/*.test.ts',
      'fakes/**/*.test.ts',
      'console/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/log-capture.ts'],
    // Logs of passing tests stay out of the output; a failing test shows its own.
    silent: 'passed-only',
    pool: 'forks',
    // node:sqlite (the SQS emulator) is experimental in Node 22; its warning is noise here.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share two cores with the emulators.
    maxWorkers: 2,
  },
});
