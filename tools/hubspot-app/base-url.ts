/**
 * The one address HubSpot uses to reach DealBooks (the service's PUBLIC_BASE_URL), and the three places of the app
 * project derived from it. HubSpot only calls HTTPS addresses for OAuth redirects, hubspot.fetch and webhooks; plain
 * http is accepted only for the local sandbox, whose simulator runs on this machine.
 */

/** Where HubSpot sends the admin back after consent (server/src/http/routes/hubspot-oauth.ts CALLBACK_PATH). */
export const OAUTH_CALLBACK_PATH = '/oauth/hubspot/callback';
/** Where HubSpot delivers webhook events (server/src/http/routes/webhooks.ts: POST /webhooks/hubspot). */
export const WEBHOOK_PATH = '/webhooks/hubspot';

const SANDBOX_HOSTS = new Set(['localhost', '127.0.0.1']);

export type BaseUrlResult = { ok: true; base: string; sandbox: boolean } | { ok: false; problem: string };

/** Accepts `https://host[:port][/path]`, or `http://localhost` / `http://127.0.0.1` for the sandbox; trailing slashes dropped. */
export function parseBaseUrl(value: string): BaseUrlResult {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: `"${value}" is not an absolute URL; give DealBooks' public address, e.g. https://dealbooks.example.com` };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { ok: false, problem: `"${value}" carries credentials, a query or a fragment; give only scheme, host, port and path` };
  }
  const sandbox = url.protocol === 'http:' && SANDBOX_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !sandbox) {
    return {
      ok: false,
      problem:
        `"${value}" is not HTTPS. HubSpot sends OAuth redirects, hubspot.fetch calls and webhooks only to HTTPS addresses; ` +
        'plain http is accepted only for the local sandbox (http://localhost or http://127.0.0.1)',
    };
  }
  return { ok: true, base: url.href.replace(/\/+$/, ''), sandbox };
}

/** The app project's addresses for a base URL, as the build writes them and the check expects them. */
export function derivedUrls(base: string) {
  return {
    redirectUrl: `${base}${OAUTH_CALLBACK_PATH}`,
    permittedFetch: [base],
    webhookTargetUrl: `${base}${WEBHOOK_PATH}`,
  };
}
