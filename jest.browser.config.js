/**
 * `npm run test:browser`: the sandbox workbench driven in headless Chromium (Debian's chromium package, or the
 * executable named by CHROMIUM_PATH) with playwright-core. One file at a time: each starts DealBooks, both
 * simulators and a browser.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 120_000, // each test of the workbench suite sets its own bound from its waits
};
