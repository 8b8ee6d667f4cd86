// Unit tests run on the TypeScript sources; end-to-end tests start the compiled examples from dist/
// as real processes, so `npm test` builds first.
const tsJest = ['ts-jest', { diagnostics: false }];
// Nest 12 ships ES modules, which Jest's CommonJS runtime on Node 20 cannot load: unit tests stay off
// Nest at run time (the engine has none by design); end-to-end tests run Nest in real processes.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@mosec/nest$': '<rootDir>/libs/mosec/src', '^@mosec/nest/(.*)$': '<rootDir>/libs/mosec/src/$1' },
};
module.exports = {
  // End-to-end tests start servers and wait for workers: generous time. Jest reads `testTimeout` from
  // the top level only (a project's own `testTimeout` is ignored), so it is set here for both projects.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Servers that several spec files share (test/support/shared-service.ts) are stopped at the end.
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts'] },
    // One file at a time per core.
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
