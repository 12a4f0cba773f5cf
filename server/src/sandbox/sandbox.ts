import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../logger';
// Type only: erased at run time, so production never loads simulator code (see the lazy imports below).
import type { SimClock } from '../../../test/simulators/common/clock';

/**
 * The sandbox: with nothing configured, DealBooks runs against in-process simulators of HubSpot and QuickBooks
 * Online, seeded with a demo account (the DealBooks app installed in it, under this run's credentials) and a demo
 * company (whose consent screen approves the DealBooks app at once), with webhooks wired both ways. It is the
 * staging environment integration projects lack, and the same simulators every test uses. DealBooks' own side of
 * the connections (stored, encrypted tokens) arrives with the install and connect flows.
 *
 * The simulators live under test/simulators and are loaded only here, only in sandbox mode: an image that leaves
 * test/ out still runs in production (SANDBOX=0), just not as a sandbox.
 */
export interface Sandbox {
  /** The configuration DealBooks runs with: the simulators' URLs and the sandbox app's credentials. */
  readonly config: Config;
  readonly quickbooks: { url: string; realmId: string };
  readonly hubspot: { url: string; portalId: number; appId: number };
  /** Points both simulators' webhooks at the running service. */
  wire(serviceUrl: string): Promise<void>;
  /**
   * Installs DealBooks in the demo HubSpot account and connects the demo QuickBooks company through DealBooks' own
   * OAuth flows, as a person clicking through them would (the simulators' consent pages approve at once). Run at
   * every start: the simulators forget their tokens when they stop. Returns what happened, one line each.
   */
  connect(serviceUrl: string): Promise<string[]>;
  /** What is running and how to drive it, one line each, for the start-up log. */
  guide(serviceUrl: string): string[];
  close(): Promise<void>;
}

/** The sandbox could not start for a reason its user can fix (a taken port). */
export class SandboxStartError extends Error {
  override name = 'SandboxStartError';
}

export interface SandboxOptions {
  /**
   * One clock for both simulators (a `SimClock` from test/simulators/common/clock): tests pass a frozen one and move
   * time for both services at once. Default: each simulator keeps real time.
   */
  clock?: SimClock;
}

export async function startSandbox(config: Config, logger: Logger, options: SandboxOptions = {}): Promise<Sandbox> {
  // Loaded lazily so a production process never loads simulator code.
  const qbo = await import('../../../test/simulators/quickbooks/index');
  const hs = await import('../../../test/simulators/hubspot/index');

  const secret = (label: string) => `sandbox-${label}-${randomBytes(12).toString('hex')}`;
  const callbackUrls = (path: string) => [...new Set([`${config.publicBaseUrl}${path}`, `http://localhost:${config.port}${path}`])];

  const quickbooksApp = { clientId: secret('qbo-client'), clientSecret: secret('qbo-secret'), verifierToken: secret('qbo-verifier') };
  const hubspotApp = { appId: hs.DEMO_APP_ID, clientId: secret('hubspot-client'), clientSecret: secret('hubspot-secret') };

  const quickbooks = await onPort(config.simulators.quickbooksPort, 'SANDBOX_QUICKBOOKS_PORT', () => qbo.startQuickbooksSimulator({
    port: config.simulators.quickbooksPort,
    clock: options.clock,
    seed: 'demo',
    apps: [{ clientId: quickbooksApp.clientId, clientSecret: quickbooksApp.clientSecret, redirectUris: callbackUrls('/oauth/quickbooks/callback') }],
  }));
  let hubspot: Awaited<ReturnType<typeof hs.startHubSpotSimulator>>;
  try {
    hubspot = await onPort(config.simulators.hubspotPort, 'SANDBOX_HUBSPOT_PORT', () => hs.startHubSpotSimulator({
      port: config.simulators.hubspotPort,
      clock: options.clock,
      seed: 'demo',
      // The demo app's scopes and dealstage subscription, with this run's credentials.
      apps: [
        {
          ...hs.demoApp(),
          appId: hubspotApp.appId,
          clientId: hubspotApp.clientId,
          clientSecret: hubspotApp.clientSecret,
          redirectUris: callbackUrls('/oauth/hubspot/callback'),
        },
      ],
      dealbooksBaseUrl: config.publicBaseUrl,
      installed: [{ appId: hubspotApp.appId, portalId: hs.DEMO_PORTAL_ID }],
    }));
  } catch (err) {
    await quickbooks.close();
    throw err;
  }

  const sandboxConfig: Config = {
    ...config,
    hubspot: {
      ...config.hubspot,
      clientId: hubspotApp.clientId,
      clientSecret: hubspotApp.clientSecret,
      appId: String(hubspotApp.appId),
      apiBaseUrl: hubspot.url,
      authorizeUrl: `${hubspot.url}/oauth/authorize`,
    },
    quickbooks: {
      ...config.quickbooks,
      clientId: quickbooksApp.clientId,
      clientSecret: quickbooksApp.clientSecret,
      apiBaseUrl: quickbooks.url,
      authorizeUrl: `${quickbooks.url}/connect/oauth2`,
      tokenUrl: `${quickbooks.url}/oauth2/v1/tokens/bearer`,
      revokeUrl: `${quickbooks.url}/v2/oauth2/tokens/revoke`,
      webhookVerifierToken: quickbooksApp.verifierToken,
    },
  };
  logger.debug({ quickbooks: quickbooks.url, hubspot: hubspot.url }, 'sandbox simulators started');

  async function control(url: string, body: unknown): Promise<void> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sandbox wiring failed: POST ${url} answered ${response.status} ${await response.text()}`);
  }

  return {
    config: sandboxConfig,
    quickbooks: { url: quickbooks.url, realmId: qbo.DEMO_REALM_ID },
    hubspot: { url: hubspot.url, portalId: hs.DEMO_PORTAL_ID, appId: hubspotApp.appId },
    async wire(serviceUrl) {
      await control(`${quickbooks.url}/_sim/webhooks/config`, {
        url: `${serviceUrl}/webhooks/quickbooks`,
        verifierToken: quickbooksApp.verifierToken,
        format: 'cloudevents',
      });
      // The subscriptions of hubspot-app/src/app/webhooks/webhooks-hsmeta.json.
      await control(`${hubspot.url}/_sim/apps/${hubspotApp.appId}/webhooks`, {
        targetUrl: `${serviceUrl}/webhooks/hubspot`,
        subscriptions: [
          { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'dealstage', active: true },
          { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'closedate', active: true },
          { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'amount', active: true },
          { subscriptionType: 'contact.privacyDeletion', active: true },
        ],
      });
    },
    async connect(serviceUrl) {
      const lines: string[] = [];
      const install = await browse(`${serviceUrl}/oauth/hubspot/install`);
      lines.push(`HubSpot install:      ${install.status === 200 ? 'DealBooks installed in the demo account' : `failed (${install.status}): ${pageText(install.body)}`}`);
      if (install.status !== 200) return lines;
      const ticket = await hubspot.cardRequest({ portalId: hs.DEMO_PORTAL_ID, method: 'POST', url: `${serviceUrl}/api/quickbooks/connect-url`, body: {} });
      const connectUrl = (ticket.body as { url?: string } | undefined)?.url;
      if (ticket.status !== 200 || !connectUrl) {
        lines.push(`QuickBooks connect:   failed (${ticket.status})`);
        return lines;
      }
      const connected = await browse(connectUrl);
      lines.push(`QuickBooks connect:   ${connected.status === 200 ? `demo company ${qbo.DEMO_REALM_ID} connected` : `failed (${connected.status}): ${pageText(connected.body)}`}`);
      return lines;
    },
    guide(serviceUrl) {
      const deals = `${hubspot.url}/_sim/hubspot/accounts/${hs.DEMO_PORTAL_ID}/objects/deals`;
      // An open deal of the default pipeline, so the first thing to try is copy and paste.
      const open = hubspot.accounts
        .get(hs.DEMO_PORTAL_ID)
        ?.list('deals')
        .find((d) => d.properties.pipeline === 'default' && !['closedwon', 'closedlost'].includes(d.properties.dealstage ?? ''));
      const dealId = open?.id ?? '<id>';
      return [
        `HubSpot simulator:    ${hubspot.url}  (demo account ${hs.DEMO_PORTAL_ID}, DealBooks app ${hubspotApp.appId} installed; webhooks -> ${serviceUrl}/webhooks/hubspot)`,
        `QuickBooks simulator: ${quickbooks.url}  (demo company ${qbo.DEMO_REALM_ID}; webhooks -> ${serviceUrl}/webhooks/quickbooks)`,
        `List the demo deals:  curl ${deals}`,
        `Win a deal:           curl -X PATCH ${deals}/${dealId} -H 'content-type: application/json' -d '{"properties":{"dealstage":"closedwon"}}'`,
        `Install again:        open ${serviceUrl}/oauth/hubspot/install`,
        `QuickBooks status:    curl -X POST ${hubspot.url}/_sim/card-requests -H 'content-type: application/json' -d '{"portalId":${hs.DEMO_PORTAL_ID},"method":"GET","url":"${serviceUrl}/api/quickbooks/status"}'`,
        `Open the deal card:   curl -X POST ${hubspot.url}/_sim/card-requests -H 'content-type: application/json' -d '{"portalId":${hs.DEMO_PORTAL_ID},"method":"GET","url":"${serviceUrl}/api/deals/${dealId}/summary"}'`,
        `QBO invoices:         curl ${quickbooks.url}/_sim/quickbooks/companies/${qbo.DEMO_REALM_ID}/Invoice`,
        `Everything else (clock, faults, webhook delivery modes): test/simulators/README.md`,
      ];
    },
    async close() {
      await Promise.allSettled([hubspot.close(), quickbooks.close()]);
    },
  };
}

/** Follows redirects like a browser until a page answers (the OAuth dances between DealBooks and a simulator). */
async function browse(url: string): Promise<{ status: number; body: string }> {
  let current = url;
  for (let hops = 0; hops < 10; hops++) {
    const response = await fetch(current, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      current = new URL(location, current).toString();
      continue;
    }
    return { status: response.status, body: await response.text() };
  }
  return { status: 508, body: 'too many redirects' };
}

/** The words of an HTML page, for a one-line log. */
function pageText(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** A taken port is the likely start-up failure on a developer's machine: say which setting moves it. */
async function onPort<T>(port: number, variable: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SandboxStartError(`the sandbox needs port ${port}, which is in use: stop what uses it, or set ${variable} (0 = any free port)`);
    }
    throw err;
  }
}
