// Unit tests run on the TypeScript sources; end-to-end tests start the compiled examples from dist/
// as real processes, so `npm test` builds first.
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@mosec/nest$': '<rootDir>/libs/mosec/src', '^@mosec/nest/(.*)$': '<rootDir>/libs/mosec/src/$1' },
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
