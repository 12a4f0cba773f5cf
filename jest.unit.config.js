/**
 * The fast unit tests only: pure code, no database, no service, no simulator on a port. Mutation testing
 * (`npm run mutate`, stryker.config.json) runs these once per mutant, so nothing slow may enter this list.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  // server/ stays a root: jest finds the tests related to a mutated file through the imports between them.
  roots: ['<rootDir>/test', '<rootDir>/server'],
  testMatch: [
    '<rootDir>/test/sync/unit/**/*.test.ts',
    '<rootDir>/test/quickbooks-adapter/retry.test.ts',
    '<rootDir>/test/quickbooks-adapter/retry-edges.test.ts',
    '<rootDir>/test/quickbooks-adapter/schemas.test.ts',
    '<rootDir>/test/quickbooks-adapter/customer-body.test.ts',
    '<rootDir>/test/auth/signatures.test.ts',
    '<rootDir>/test/auth/signature-edges.test.ts',
  ],
};
