/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/server', '<rootDir>/extensions'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  // Type errors are caught once by `npm run typecheck`; tests only transpile (much faster).
  transform: {
    '^.+\\.(t|j)sx?$': ['ts-jest', { tsconfig: { allowJs: true, jsx: 'react-jsx', isolatedModules: true } }],
  },
  // @hubspot/ui-extensions and its dependencies ship ESM only; let ts-jest transform them.
  transformIgnorePatterns: ['/node_modules/(?!(@hubspot/ui-extensions|@remote-ui|tinyspy)/)'],
  setupFiles: ['<rootDir>/test/support/network-guard.ts'],
  maxWorkers: 2,
  testTimeout: 60_000,
};
