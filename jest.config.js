/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/server', '<rootDir>/extensions'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  // The browser suite needs Chromium and runs on its own: npm run test:browser (jest.browser.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
  // Type errors are caught once by `npm run typecheck`; tests only transpile (much faster).
  // useESM: a file jest loads as an ES module gets ES module output, any other CommonJS. On Node 24.9+ jest loads
  // ESM-only packages ("type": "module", like @hubspot/ui-extensions) with Node's own require(esm), as ES modules,
  // so CommonJS output there failed with "exports is not defined"; on Node 20 and 22 they are still required as
  // CommonJS. Our own .ts files are not listed in extensionsToTreatAsEsm and stay CommonJS on every Node.
  transform: {
    '^.+\\.(t|j)sx?$': ['ts-jest', { useESM: true, tsconfig: { allowJs: true, jsx: 'react-jsx', isolatedModules: true } }],
  },
  // @hubspot/ui-extensions and its dependencies ship ESM only; let ts-jest transform them.
  transformIgnorePatterns: ['/node_modules/(?!(@hubspot/ui-extensions|@remote-ui|tinyspy)/)'],
  setupFiles: ['<rootDir>/test/support/network-guard.ts'],
  maxWorkers: 2,
  testTimeout: 60_000,
  // When the run ends, a worker has run some 45 files and holds several hundred MB (jest's module loading under
  // --experimental-vm-modules keeps compiled code alive: https://github.com/jestjs/jest/issues/14605). Freeing that
  // takes Node longer than jest's default 500 ms on a busy two-core machine, so jest killed workers that were already
  // exiting and reported them as leaking. A worker that really leaks (an open server, a running job queue) still
  // never exits on its own and is still reported, only later.
  workerGracefulExitTimeout: 5_000,
};
