import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import type pg from 'pg';
import type { Config } from '../config';
import { claimSandboxWorld, readSandboxWorld } from '../db/sandbox-world';
import type { Logger } from '../logger';
import { workbenchRoutes } from './workbench';
import { DebouncedSaver, newWorldId, readWorldFile, worldFilePath, writeWorldFile, type SandboxCredentials, type SavedWorld } from './world-file';
// Type only: erased at run time, so production never loads simulator code (see the lazy imports below).
import type { SimClock } from '../../../test/simulators/common/clock';

/**
 * The sandbox: with nothing configured, DealBooks runs against in-process simulators of HubSpot and QuickBooks
 * Online, seeded with a demo account (the DealBooks app installed in it by Ada, one of its users) and a demo company
 * (whose consent screen approves the DealBooks app at once), with webhooks wired both ways. It is the staging
 * environment integration projects lack, and the same simulators every test uses.
 *
 * The simulated world and DealBooks' database are kept together: with `persist`, both simulators' state (and the
 * sandbox apps' credentials their grants are bound to) is saved in DATA_DIR after changes and at shutdown, and the
 * next start continues that world; a world id stored on both sides tells when they come from different worlds
 * (one wiped, the other not), which is reported with the command that fixes it (`npm run sandbox:reset`).
 *
 * The simulators live under test/simulators and are loaded only here, only in sandbox mode: an image that leaves
 * test/ out still runs in production (SANDBOX=0), just not as a sandbox.
 */
export interface Sandbox {
  /** The configuration DealBooks runs with: the simulators' URLs and the sandbox app's credentials. */
  readonly config: Config;
  readonly quickbooks: { url: string; realmId: string };
  readonly hubspot: { url: string; portalId: number; appId: number };
  /** The world this run belongs to; `continued` when it was loaded from DATA_DIR rather than begun from the demo data. */
  readonly world: { id: string; continued: boolean; file: string | undefined };
  /**
   * Compares the world with the one DealBooks' database belongs to. A new world on a fresh database is recorded
   * there; a disagreement is logged at error level with the command that fixes it. From here on changes are saved.
   */
  checkWorld(pool: pg.Pool): Promise<{ ok: true; line: string } | { ok: false; message: string }>;
  /** Points both simulators' webhooks at the running service. */
  wire(serviceUrl: string): Promise<void>;
  /**
   * Installs DealBooks in the demo HubSpot account and connects the demo QuickBooks company through DealBooks' own
   * OAuth flows, as a person clicking through them would (the simulators' consent pages approve at once), unless a
   * continued world is still installed and connected; turns auto-invoice on for a demo account that never saved
   * settings. Logs each step (a failure at error level, with what to do) and returns the lines.
   */
  connect(serviceUrl: string): Promise<string[]>;
  /** What is running and how to drive it, one line each, for the start-up log. */
  guide(serviceUrl: string): Promise<string[]>;
  /** The workbench's routes (/sandbox): the demo world and the real extensions in a browser. */
  workbench(): Router;
  /** Saves the simulated world now (when persisting). */
  save(): Promise<void>;
  /** Saves (when persisting) and stops both simulators. */
  close(): Promise<void>;
}

/** The sandbox could not start for a reason its user can fix (a taken port, an unreadable saved world). */
export class SandboxStartError extends Error {
  override name = 'SandboxStartError';
}

export interface SandboxOptions {
  /**
   * One clock for both simulators (a `SimClock` from test/simulators/common/clock): tests pass a frozen one and move
   * time for both services at once. Default: each simulator keeps real time.
   */
  clock?: SimClock;
  /** Keep the simulated world in DATA_DIR across restarts (`npm start` does). Default: in memory only. */
  persist?: boolean;
  /** How long after a change the world is saved (default 500 ms). */
  saveDelayMs?: number;
}

export const RESET_COMMAND = 'npm run sandbox:reset';

export async function startSandbox(config: Config, logger: Logger, options: SandboxOptions = {}): Promise<Sandbox> {
  // Loaded lazily so a production process never loads simulator code.
  const qbo = await import('../../../test/simulators/quickbooks/index');
  const hs = await import('../../../test/simulators/hubspot/index');

  const file = options.persist ? worldFilePath(config.dataDir) : undefined;
  let saved: SavedWorld | undefined;
  try {
    saved = file ? await readWorldFile(file) : undefined;
  } catch (err) {
    throw new SandboxStartError(err instanceof Error ? err.message : String(err));
  }
  const worldId = saved?.worldId ?? newWorldId();

  const secret = (label: string) => `sandbox-${label}-${randomBytes(12).toString('hex')}`;
  const callbackUrls = (path: string) => [...new Set([`${config.publicBaseUrl}${path}`, `http://localhost:${config.port}${path}`])];
  // A continued world keeps its apps' credentials: the simulators' saved grants and installs are bound to them.
  const credentials: SandboxCredentials = saved?.credentials ?? {
    quickbooks: { clientId: secret('qbo-client'), clientSecret: secret('qbo-secret'), verifierToken: secret('qbo-verifier') },
    hubspot: { clientId: secret('hubspot-client'), clientSecret: secret('hubspot-secret') },
  };
  const quickbooksApp = credentials.quickbooks;
  const hubspotApp = { appId: hs.DEMO_APP_ID, ...credentials.hubspot };

  // Saving starts once checkWorld has compared the world with DealBooks' database (a world not yet recorded there
  // must not be written to DATA_DIR, or the next start would find the two out of step).
  let armed = false;
  const saver = new DebouncedSaver(
    async () => {
      if (file) await writeWorldFile(file, snapshot());
    },
    options.saveDelayMs ?? 500,
    (err) => logger.error({ err, file }, 'Sandbox: the simulated world could not be saved; a restart may lose recent changes'),
  );
  const changed = () => {
    if (file) saver.changed();
  };

  const quickbooks = await onPort(config.simulators.quickbooksPort, 'SANDBOX_QUICKBOOKS_PORT', () => qbo.startQuickbooksSimulator({
    port: config.simulators.quickbooksPort,
    clock: options.clock,
    seed: 'demo',
    apps: [{ clientId: quickbooksApp.clientId, clientSecret: quickbooksApp.clientSecret, redirectUris: callbackUrls('/oauth/quickbooks/callback') }],
    onWrite: changed,
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
      // Installed by Ada, a user of the demo account, so card requests come from a real user by default.
      installed: [{ appId: hubspotApp.appId, portalId: hs.DEMO_PORTAL_ID, ...hs.DEMO_USERS.ada }],
      onWrite: changed,
    }));
  } catch (err) {
    await quickbooks.close();
    throw err;
  }
  if (saved) {
    try {
      quickbooks.importState(saved.quickbooks as Parameters<typeof quickbooks.importState>[0]);
      hubspot.importState(saved.hubspot as Parameters<typeof hubspot.importState>[0]);
    } catch (err) {
      await Promise.allSettled([hubspot.close(), quickbooks.close()]);
      throw new SandboxStartError(`the saved sandbox world in ${file} could not be loaded (${err instanceof Error ? err.message : err}); run \`${RESET_COMMAND}\` to start again from the demo data`);
    }
  }

  function snapshot(): SavedWorld {
    return { format: 1, worldId, savedAt: new Date().toISOString(), credentials, quickbooks: quickbooks.exportState(), hubspot: hubspot.exportState() };
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
  logger.debug({ quickbooks: quickbooks.url, hubspot: hubspot.url, world: worldId, continued: Boolean(saved) }, 'sandbox simulators started');

  async function control(url: string, body: unknown): Promise<void> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sandbox wiring failed: POST ${url} answered ${response.status} ${await response.text()}`);
  }

  // HubSpot reaches DealBooks at PUBLIC_BASE_URL and signs for that address; in the sandbox that address leads to
  // the local listener, as a tunnel or reverse proxy would (whatever PUBLIC_BASE_URL names).
  let localUrl = config.publicBaseUrl;
  const throughTunnel = (url: string) =>
    url === config.publicBaseUrl || url.startsWith(`${config.publicBaseUrl}/`) ? `${localUrl}${url.slice(config.publicBaseUrl.length)}` : url;
  /** A request from the deal card, signed by the HubSpot simulator (as Ada, who installed DealBooks). */
  const card = (method: string, path: string, body?: unknown) =>
    hubspot.cardRequest({ portalId: hs.DEMO_PORTAL_ID, method, url: `${config.publicBaseUrl}${path}`, body });

  const world = { id: worldId, continued: Boolean(saved), file };

  return {
    config: sandboxConfig,
    quickbooks: { url: quickbooks.url, realmId: qbo.DEMO_REALM_ID },
    hubspot: { url: hubspot.url, portalId: hs.DEMO_PORTAL_ID, appId: hubspotApp.appId },
    world,
    async checkWorld(pool) {
      const recorded = await readSandboxWorld(pool);
      const where = file ? ` (${file})` : '';
      let result: { ok: true; line: string } | { ok: false; message: string };
      if (recorded.worldId === worldId) {
        result = { ok: true, line: `Sandbox world:        ${worldId}, continued${where}` };
      } else if (recorded.worldId === null && !recorded.holdsAccounts && !world.continued) {
        await claimSandboxWorld(pool, worldId);
        result = { ok: true, line: `Sandbox world:        ${worldId}, new, from the demo data${file ? `; saved in ${file} so a restart continues it` : ''}` };
      } else {
        const why =
          recorded.worldId === null
            ? world.continued
              ? `DealBooks' database has no record of the simulated world saved in ${file} (the database was wiped or is another one)`
              : `DealBooks' database holds accounts from an earlier sandbox run whose simulated HubSpot and QuickBooks were not kept`
            : world.continued
              ? `DealBooks' database belongs to sandbox world ${recorded.worldId}, the simulators' saved state${where} to world ${worldId}`
              : `DealBooks' database belongs to sandbox world ${recorded.worldId}, whose simulated HubSpot and QuickBooks${where} are gone`;
        result = {
          ok: false,
          message:
            `Sandbox: DealBooks and its simulators are out of step: ${why}. Deal cards may show other deals' invoices and winning a deal may create nothing. ` +
            `Stop DealBooks and run \`${RESET_COMMAND}\` to start both again from the demo data.`,
        };
        logger.error({ sandbox: true, world: worldId, databaseWorld: recorded.worldId }, result.message);
      }
      armed = true;
      // The world exists on disk from its first start on, with the id the database now holds.
      if (file && result.ok && !world.continued) {
        saver.changed();
        await saver.flush();
      }
      return result;
    },
    async wire(serviceUrl) {
      localUrl = serviceUrl.replace(/\/+$/, '');
      hubspot.tunnel(localUrl === config.publicBaseUrl ? undefined : { from: config.publicBaseUrl, to: localUrl });
      await control(`${quickbooks.url}/_sim/webhooks/config`, {
        url: `${localUrl}/webhooks/quickbooks`,
        verifierToken: quickbooksApp.verifierToken,
        format: 'cloudevents',
      });
      // The subscriptions of hubspot-app/src/app/webhooks/webhooks-hsmeta.json, at the address HubSpot knows.
      await control(`${hubspot.url}/_sim/apps/${hubspotApp.appId}/webhooks`, {
        targetUrl: `${config.publicBaseUrl}/webhooks/hubspot`,
        subscriptions: [
          { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'dealstage', active: true },
          { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'closedate', active: true },
          { subscriptionType: 'object.propertyChange', objectType: 'deal', propertyName: 'amount', active: true },
          { subscriptionType: 'object.deletion', objectType: 'deal', active: true },
          { subscriptionType: 'object.restore', objectType: 'deal', active: true },
          { subscriptionType: 'object.merge', objectType: 'deal', active: true },
          { subscriptionType: 'object.merge', objectType: 'company', active: true },
          { subscriptionType: 'object.merge', objectType: 'contact', active: true },
          { subscriptionType: 'contact.privacyDeletion', active: true },
        ],
      });
    },
    async connect(serviceUrl) {
      localUrl = serviceUrl.replace(/\/+$/, '');
      const lines: string[] = [];
      const ok = (line: string) => {
        lines.push(line);
        logger.info({ sandbox: true }, line);
      };
      const failed = (step: string, status: number, detail: string) => {
        lines.push(`${step}failed (${status}): ${detail}`);
        const signature =
          status === 401
            ? ` DealBooks checks HubSpot's signatures against PUBLIC_BASE_URL (${config.publicBaseUrl}): it must be the address this service is reached at.`
            : '';
        logger.error(
          { sandbox: true, status },
          `Sandbox: ${step.replace(/:\s+$/, '')} failed (${status}): ${detail}.${signature} Until it works the deal card and auto-invoice cannot reach QuickBooks. ` +
            `Fix the cause and start again (the sandbox connects at every start), or run \`${RESET_COMMAND}\` to begin again from the demo data.`,
        );
      };
      const message = (body: unknown) => (typeof body === 'object' && body !== null ? JSON.stringify((body as { error?: unknown }).error ?? body) : String(body ?? '')).slice(0, 300);

      let status = await card('GET', '/api/quickbooks/status');
      if (status.status === 200) {
        ok('HubSpot install:      DealBooks already installed in the demo account');
      } else {
        const install = await browse(`${localUrl}/oauth/hubspot/install`, throughTunnel);
        if (install.status !== 200) {
          failed('HubSpot install:      ', install.status, pageText(install.body));
          return lines;
        }
        ok('HubSpot install:      DealBooks installed in the demo account');
        status = await card('GET', '/api/quickbooks/status');
      }
      if (status.status === 200 && (status.body as { status?: string }).status === 'connected') {
        ok(`QuickBooks connect:   demo company ${qbo.DEMO_REALM_ID} already connected`);
      } else {
        const ticket = await card('POST', '/api/quickbooks/connect-url', {});
        const connectUrl = (ticket.body as { url?: string } | undefined)?.url;
        if (ticket.status !== 200 || !connectUrl) {
          failed('QuickBooks connect:   ', ticket.status, message(ticket.body ?? ticket.error));
          return lines;
        }
        const connected = await browse(connectUrl, throughTunnel);
        if (connected.status !== 200) {
          failed('QuickBooks connect:   ', connected.status, pageText(connected.body));
          return lines;
        }
        ok(`QuickBooks connect:   demo company ${qbo.DEMO_REALM_ID} connected`);
      }
      // Auto-invoice is off by default (finance turns it on); a sandbox whose first suggestion is "win a deal" turns it
      // on once, for an account that never saved settings, so winning a deal shows the whole loop. A choice saved
      // later (off included) is kept.
      const settings = await card('GET', '/api/settings');
      const view = settings.body as { settings?: Record<string, unknown>; version?: number };
      if (settings.status === 200 && view.version === 0) {
        const saved = await card('PUT', '/api/settings', { settings: { ...view.settings, autoInvoice: true }, version: 0 });
        if (saved.status === 200) ok('Auto-invoice:         on for the demo account (turned on by the sandbox: a deal won in HubSpot becomes a QuickBooks invoice)');
        else failed('Auto-invoice:         ', saved.status, message(saved.body));
      } else if (settings.status === 200) {
        ok(`Auto-invoice:         ${view.settings?.autoInvoice ? 'on' : 'off (turn it on in the settings: PUT /api/settings)'}, as saved for the demo account`);
      } else {
        failed('Auto-invoice:         ', settings.status, message(settings.body));
      }
      return lines;
    },
    async guide(serviceUrl) {
      const deals = `${hubspot.url}/_sim/hubspot/accounts/${hs.DEMO_PORTAL_ID}/objects/deals`;
      const open = (hubspot.accounts.get(hs.DEMO_PORTAL_ID)?.list('deals') ?? []).filter(
        (d) => d.properties.pipeline === 'default' && !['closedwon', 'closedlost'].includes(d.properties.dealstage ?? ''),
      );
      // The open deal whose invoice would be made as it is (no product to map, nothing to confirm), so the first
      // thing to try works when copied and pasted.
      let chosen = open[0];
      for (const deal of open.slice(0, 10)) {
        const preview = await card('GET', `/api/deals/${deal.id}/preview`).catch(() => undefined);
        if (preview?.status === 200 && ((preview.body as { problems?: unknown[] }).problems ?? []).length === 0) {
          chosen = deal;
          break;
        }
      }
      const dealId = chosen?.id ?? '<id>';
      const cardCall = (method: string, path: string) =>
        `curl -X POST ${hubspot.url}/_sim/card-requests -H 'content-type: application/json' -d '{"portalId":${hs.DEMO_PORTAL_ID},"method":"${method}","url":"${path}"}'`;
      return [
        `Workbench:            ${serviceUrl}/sandbox  (the demo account and company side by side, with the real deal card and settings page: click through the whole loop)`,
        `HubSpot simulator:    ${hubspot.url}  (demo account ${hs.DEMO_PORTAL_ID}, DealBooks app ${hubspotApp.appId} installed by ${hs.DEMO_USERS.ada.userEmail}; webhooks -> ${config.publicBaseUrl}/webhooks/hubspot)`,
        `QuickBooks simulator: ${quickbooks.url}  (demo company ${qbo.DEMO_REALM_ID}; webhooks -> ${localUrl}/webhooks/quickbooks)`,
        ...(file ? [`Simulated world:      kept in ${file} across restarts; \`${RESET_COMMAND}\` (with DealBooks stopped) starts it and DealBooks' data again from the demo data`] : []),
        `List the demo deals:  curl ${deals}`,
        `Win a deal:           curl -X PATCH ${deals}/${dealId} -H 'content-type: application/json' -d '{"properties":{"dealstage":"closedwon"}}'`,
        `Open the deal card:   ${cardCall('GET', `/api/deals/${dealId}/summary`)}`,
        `  (card requests come from ${hs.DEMO_USERS.ada.userEmail}, who installed DealBooks; add "userEmail":"${hs.DEMO_USERS.grace.userEmail}" to act as another user)`,
        `QuickBooks status:    ${cardCall('GET', '/api/quickbooks/status')}`,
        `QBO invoices:         curl ${quickbooks.url}/_sim/quickbooks/companies/${qbo.DEMO_REALM_ID}/Invoice`,
        `Record a payment:     curl -X POST ${quickbooks.url}/_sim/quickbooks/bookkeeper/${qbo.DEMO_REALM_ID}/payments -H 'content-type: application/json' -d '{"invoiceId":"<invoice id>","amount":"100.00"}'  (as a bookkeeper in QuickBooks; the deal shows it within seconds)`,
        `The whole loop:       npm run demo  (a deal won, invoiced, partly paid and paid, in a sandbox of its own)`,
        `Install again:        open ${serviceUrl}/oauth/hubspot/install`,
        `Everything else (clock, faults, webhook delivery modes): test/simulators/README.md`,
      ];
    },
    workbench() {
      return workbenchRoutes({
        logger,
        hubspotUrl: hubspot.url,
        quickbooksUrl: quickbooks.url,
        world: () => {
          const account = hubspot.accounts.get(hs.DEMO_PORTAL_ID);
          const installer = hs.DEMO_USERS.ada.userId;
          return {
            baseUrl: config.publicBaseUrl,
            hubspot: {
              portalId: hs.DEMO_PORTAL_ID,
              appId: hubspotApp.appId,
              users: (account?.owners ?? []).map((owner) => ({ userId: owner.userId, userEmail: owner.email, firstName: owner.firstName, lastName: owner.lastName, installer: owner.userId === installer })),
            },
            quickbooks: { realmId: qbo.DEMO_REALM_ID },
            pipelines: (account?.pipelines.list() ?? []).map((p) => ({
              id: p.id,
              label: p.label,
              stages: [...p.stages].sort((a, b) => a.displayOrder - b.displayOrder).map((st) => ({ id: st.id, label: st.label, isClosed: st.isClosed })),
            })),
          };
        },
      });
    },
    async save() {
      if (!file) return;
      saver.changed();
      await saver.flush();
    },
    async close() {
      if (file && armed) {
        saver.changed();
        await saver.flush();
      }
      await Promise.allSettled([hubspot.close(), quickbooks.close()]);
    },
  };
}

/**
 * Follows redirects like a browser until a page answers (the OAuth dances between DealBooks and a simulator); `route`
 * says where an address leads on this machine (DealBooks' public address to its local listener).
 */
async function browse(url: string, route: (url: string) => string = (u) => u): Promise<{ status: number; body: string }> {
  let current = url;
  for (let hops = 0; hops < 10; hops++) {
    const response = await fetch(route(current), { redirect: 'manual' });
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
