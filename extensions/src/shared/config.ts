/**
 * Where DealBooks answers. hubspot.fetch only reaches absolute URLs listed in the app's `permittedUrls.fetch`, so the
 * base URL is fixed when the project is built: `npm run hubspot:build -- --base-url https://...` writes this file
 * in the built project. The value here is the local sandbox's, for development and tests.
 */
export const DEALBOOKS_BASE_URL = 'http://localhost:3000';
