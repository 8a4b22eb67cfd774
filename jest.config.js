/** Unit specs sit beside the code (src/**\/*.spec.ts); integration and e2e specs under test/ run against real services. */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testSequencer: '<rootDir>/test/support/sequencer.js',
  maxWorkers: 2,
  // Specs boot apps in the worker process itself; a worker grown past this after a file is replaced, so one file's
  // heap never counts against the next one's readiness (its heap check) or memory.
  workerIdleMemoryLimit: '1GB',
  testTimeout: 60_000,
  slowTestThreshold: 30,
};
