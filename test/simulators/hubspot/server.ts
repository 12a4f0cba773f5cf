import express, { type NextFunction, type Request, type Response } from 'express';
import { SimClock } from '../common/clock';
import { commonControlRouter, controlErrorHandler } from '../common/control';
import { FaultInjector, type FaultResponse } from '../common/faults';
import { RequestLog } from '../common/request-log';
import type { WebhookDispatcher } from '../common/webhooks';
import { AppRegistry, DEMO_APP_ID, DEMO_PORTAL_ID, DEMO_USER, demoApp, type HubSpotAppConfig, type Install } from './apps';
import { apiAuth, scopeCheck } from './auth';
import { CardLimits, type CardRequest, type CardResponse } from './card-requests';
import { hubspotShellControlRouter } from './control';
import { hubspotCrmControlRouter, hubspotCrmRouter } from './crm-api';
import type { CrmFidelityInput } from './crm/fidelity';
import { hubspotError } from './crm-api';
import type { HubSpotFidelityOptions } from './crm/lifecycle-fidelity';
import { HubSpotAccounts, type HubSpotAccountsState } from './crm/store';
import { afterWrites } from '../common/snapshot';
import { RateLimiter, tenSecondlyBody, type RateLimitOptions } from './limits';
import { appInstallsRouter, oauthRouter, uninstall } from './oauth';
import { ConsentPlan } from './oauth-consent';
import { ACCESS_TOKEN_TTL_SECONDS, TokenStore, type TokenStoreState } from './oauth-tokens';
import { sendHubSpotError } from './server-errors';
import { createWebhookDispatcher, HubSpotWebhooks } from './webhooks';

export interface HubSpotSimulatorOptions {
  port?: number;
  host?: string;
  clock?: SimClock;
  /** 'demo' (default): one portal with demo CRM data and the apps installed in it; 'empty': one portal without
   *  data; 'none': no portal (the first OAuth consent creates one). */
  seed?: 'demo' | 'empty' | 'none';
  /** Registered apps; default: the DealBooks demo app (apps.ts DEMO_* constants). */
  apps?: HubSpotAppConfig[];
  /** Installs present from the start (they get a token pair each, see `seeded`). Default: every app in the seeded
   *  portal, installed by DEMO_USER; `[]` for none. `userId`/`userEmail` name the user who installed it (and whom
   *  card requests come from unless they name another). */
  installed?: Array<{ appId: number; portalId: number; userId?: number; userEmail?: string }>;
  /** Webhook target of the default demo app (ignored when `apps` is given). */
  webhookUrl?: string;
  /** Where relative card-request URLs point (DealBooks' public base URL). */
  dealbooksBaseUrl?: string;
  rateLimits?: RateLimitOptions;
  /** Readings of CRM behaviour HubSpot does not document (crm/fidelity.ts): search limits and the like. */
  crmFidelity?: CrmFidelityInput;
  /** Simulated ms over which webhook events are batched (default 0: one tick). */
  webhookBatchWindowMs?: number;
  /** Real ms after which a webhook answer counts as too slow (default 5 s; tests shorten it). */
  webhookTimeoutMs?: number;
  /** hubspot.fetch timeout for card requests (default 15 s). */
  cardTimeoutMs?: number;
  /** Called after every request that may have changed state (any method but GET and HEAD, once answered). */
  onWrite?: () => void;
  /** Deletion/merge behaviour the sources leave open (crm/lifecycle-fidelity.ts): integrationSourceId, mergeSurvivor,
   *  mergedIdRead, deletionOnMerge. Also `GET|POST /_sim/hubspot/fidelity`; reset returns to these. */
  fidelity?: HubSpotFidelityOptions;
}

/** What a restart needs to continue the same world: the portals, the installs and their tokens. */
export interface HubSpotSimulatorState {
  accounts: HubSpotAccountsState;
  installs: Install[];
  tokens: TokenStoreState;
}

/** A token pair the simulator issued at start for a seeded install, so a sandbox can connect without a browser. */
export interface SeededInstall extends Install {
  accessToken: string;
  refreshToken: string;
}

export interface HubSpotSimulatorHandles {
  clock: SimClock;
  accounts: HubSpotAccounts;
  apps: AppRegistry;
  tokens: TokenStore;
  consent: ConsentPlan;
  limits: RateLimiter;
  faults: FaultInjector;
  requests: RequestLog;
  /** Outgoing webhook deliveries (modes, attempts, settle). */
  webhooks: WebhookDispatcher;
  /** Seeded installs with their tokens (renewed by reset). */
  readonly seeded: SeededInstall[];
  /** Installs an app in a portal as if the user had consented, and issues a token pair. */
  install(appId: number, portalId: number): { access_token: string; refresh_token: string; expires_in: number };
  /** As if the user uninstalled the app in HubSpot: every token of the install dies. */
  uninstall(appId: number, portalId: number): boolean;
  /** Sends what a UI extension's hubspot.fetch would send, signed with the app's secret, on the simulator clock,
   *  within hubspot.fetch's limits (20 concurrent per app and portal, 1 MB each way: card-requests.ts). */
  cardRequest(request: Omit<CardRequest, 'clientSecret' | 'appId' | 'now' | 'userId' | 'userEmail'> & { appId?: number; userId?: number; userEmail?: string }): Promise<CardResponse>;
  /** Sends batched webhook events now (those over the concurrency limit as slots free up) and waits for them. */
  flushWebhooks(): Promise<void>;
  /** Back to the state at start: seeded portal and installs (new tokens), no faults, requests, deliveries or
   *  consent plans, rate limits as configured at start. The apps keep their current webhook settings (developer
   *  configuration, not portal data; the sandbox wires them once). */
  reset(): void;
  /** Stops listening for CRM changes (close() of the listening simulator calls it). */
  dispose(): void;
  /** Portals, installs and tokens as JSON data. Faults, limits, the request log and deliveries on the wire are left out. */
  exportState(): HubSpotSimulatorState;
  /** Replaces portals, installs and tokens with saved ones (the seed is discarded; apps stay as configured). */
  importState(state: HubSpotSimulatorState): void;
  /**
   * Requests to `from` (DealBooks' public base URL: webhooks and card requests, signed for that address) reach
   * `to` instead, as through a tunnel or reverse proxy in front of DealBooks. `undefined` removes the tunnel.
   */
  tunnel(route: { from: string; to: string } | undefined): void;
}

export function createHubSpotSimulatorApp(options: HubSpotSimulatorOptions = {}): HubSpotSimulatorHandles & { app: express.Express } {
  const clock = options.clock ?? new SimClock();
  const accounts = new HubSpotAccounts({ clock, fidelity: options.fidelity, crmFidelity: options.crmFidelity });
  const apps = new AppRegistry(clock, options.apps ?? [demoApp(options.webhookUrl)]);
  const tokens = new TokenStore(clock, apps);
  const consent = new ConsentPlan();
  const limits = new RateLimiter(clock, options.rateLimits);
  const requests = new RequestLog(() => clock.now());
  const faults = new FaultInjector(faultBody);
  let tunnelRoute: { from: string; to: string } | undefined;
  const route = (url: string) => (tunnelRoute && isUnder(url, tunnelRoute.from) ? `${tunnelRoute.to}${url.slice(tunnelRoute.from.length)}` : url);
  const dispatcher = createWebhookDispatcher(clock, apps, options.webhookTimeoutMs, route);
  const hubspotWebhooks = new HubSpotWebhooks({ clock, apps, accounts, dispatcher, batchWindowMs: options.webhookBatchWindowMs });
  const cardLimits = new CardLimits();
  const defaultAppId = apps.list()[0]?.appId ?? DEMO_APP_ID;
  let seeded: SeededInstall[] = [];

  const install = (appId: number, portalId: number, user: { userId?: number; userEmail?: string } = {}) => {
    const app = apps.get(appId);
    if (!app) throw new Error(`no app ${appId}`);
    if (!accounts.get(portalId)) throw new Error(`no portal ${portalId}`);
    const by = { userId: user.userId ?? DEMO_USER.userId, userEmail: user.userEmail ?? DEMO_USER.userEmail };
    const made = apps.install(appId, portalId, { ...by, scopes: [...app.scopes] });
    const pair = tokens.issueSeeded(made, app.clientId);
    return { access_token: pair.access.token, refresh_token: pair.refresh.token, expires_in: ACCESS_TOKEN_TTL_SECONDS };
  };

  const applySeed = () => {
    const seed = options.seed ?? 'demo';
    const portal = seed === 'none' ? undefined : accounts.create(DEMO_PORTAL_ID, { seed: seed === 'demo' ? 'demo' : 'empty', name: 'DealBooks demo portal' });
    const wanted = options.installed ?? (portal ? apps.list().map((a) => ({ appId: a.appId, portalId: portal.portalId })) : []);
    seeded = wanted.map(({ appId, portalId, ...user }) => {
      const pair = install(appId, portalId, user);
      return { ...apps.getInstall(appId, portalId)!, accessToken: pair.access_token, refreshToken: pair.refresh_token };
    });
  };

  const flushWebhooks = async () => {
    hubspotWebhooks.flush();
    await hubspotWebhooks.settle();
  };

  const reset = () => {
    faults.clear();
    requests.clear();
    hubspotWebhooks.reset();
    dispatcher.reset();
    consent.clear();
    tokens.reset();
    limits.reset();
    apps.clearInstalls();
    accounts.reset();
    applySeed();
  };

  // Each card request is signed at its own millisecond, even on a frozen clock: two requests that are alike (the
  // same status read twice) would otherwise carry the same signature, which DealBooks rightly refuses as a replay.
  let lastCardTimestamp = Number.NEGATIVE_INFINITY;
  const cardTimestamp = () => {
    lastCardTimestamp = Math.max(clock.nowMs(), lastCardTimestamp + 1);
    return lastCardTimestamp;
  };

  const cardRequest: HubSpotSimulatorHandles['cardRequest'] = (request) => {
    const appId = request.appId ?? defaultAppId;
    const app = apps.get(appId);
    if (!app) throw new Error(`no app ${appId}`);
    const installed = apps.getInstall(appId, request.portalId);
    // A user named by one of id or email is a user of the portal: the other comes from the portal's users (owners).
    const owners = accounts.get(request.portalId)?.owners ?? [];
    const named =
      request.userId !== undefined && request.userEmail === undefined
        ? owners.find((o) => o.userId === request.userId)
        : request.userEmail !== undefined && request.userId === undefined
          ? owners.find((o) => o.email.toLowerCase() === request.userEmail!.toLowerCase())
          : undefined;
    return cardLimits.send({
      ...request,
      url: absoluteUrl(request.url, options.dealbooksBaseUrl),
      appId,
      clientSecret: app.clientSecret,
      userId: request.userId ?? named?.userId ?? installed?.userId ?? DEMO_USER.userId,
      userEmail: request.userEmail ?? named?.email ?? installed?.userEmail ?? DEMO_USER.userEmail,
      route,
      now: cardTimestamp,
      timeoutMs: options.cardTimeoutMs,
    });
  };

  const doUninstall = (appId: number, portalId: number) => uninstall({ apps, tokens }, appId, portalId);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ limit: '3mb' }));
  app.use(express.urlencoded({ extended: false }));
  app.use(requests.middleware());
  if (options.onWrite) app.use(afterWrites(options.onWrite));

  app.use('/_sim', commonControlRouter({ clock, requests, faults, webhooks: dispatcher, flushWebhooks: async () => hubspotWebhooks.flush(), reset }));
  app.use(
    '/_sim',
    hubspotShellControlRouter({ apps, tokens, consent, limits, defaultAppId, install, uninstall: doUninstall, cardRequest: (input) => cardRequest(input) }),
  );
  app.use('/_sim/hubspot', hubspotCrmControlRouter({ accounts, clock }));
  app.use('/_sim', (_req: Request, res: Response) => void res.status(404).json({ error: 'no such control route' }));
  app.use('/_sim', controlErrorHandler());

  // Faults come first, so that token calls can fail too; then OAuth (its own client authentication), then the API.
  app.use(faults.middleware());
  app.use(oauthRouter({ apps, tokens, consent, accounts }));
  app.use(apiAuth({ tokens, accounts }));
  app.use(limits.middleware());
  app.use(scopeCheck());
  app.use(appInstallsRouter({ apps, tokens }));
  app.use(hubspotCrmRouter({ accounts, clock }));
  app.use((_req: Request, res: Response) => sendHubSpotError(res, 404, 'OBJECT_NOT_FOUND', 'Not Found'));
  app.use(apiErrorHandler);

  applySeed();

  return {
    app,
    clock,
    accounts,
    apps,
    tokens,
    consent,
    limits,
    faults,
    requests,
    webhooks: dispatcher,
    get seeded() {
      return seeded;
    },
    install,
    uninstall: doUninstall,
    cardRequest,
    flushWebhooks,
    reset,
    dispose: () => hubspotWebhooks.close(),
    exportState: () => ({ accounts: accounts.exportState(), installs: apps.exportInstalls(), tokens: tokens.exportState() }),
    importState(state) {
      accounts.importState(state.accounts);
      apps.importInstalls(state.installs);
      tokens.importState(state.tokens);
      seeded = [];
    },
    tunnel(next) {
      tunnelRoute = next && { from: next.from.replace(/\/+$/, ''), to: next.to.replace(/\/+$/, '') };
    },
  };
}

/** HubSpot-shaped bodies for injected status faults. */
function faultBody(status: number): FaultResponse {
  if (status === 429) return { status, body: tenSecondlyBody() };
  if (status === 401) return { status, body: hubspotError(status, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.') };
  const messages: Record<number, string> = { 500: 'internal error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
  const category = status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR';
  return { status, body: hubspotError(status, category, messages[status] ?? `simulated ${status}`) };
}

/** Malformed bodies get HubSpot's 400; anything else is a simulator bug, answered as HubSpot's 500. */
function apiErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if ((err as { type?: string } | null)?.type === 'entity.parse.failed') {
    return sendHubSpotError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: the request body is not valid JSON');
  }
  sendHubSpotError(res, 500, 'INTERNAL_ERROR', err instanceof Error ? err.message : String(err));
}

function isUnder(url: string, base: string): boolean {
  return url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);
}

function absoluteUrl(url: string, base: string | undefined): string {
  if (/^https?:\/\//i.test(url)) return url;
  if (!base) throw new Error(`"${url}" is relative and no DealBooks base URL is configured`);
  return `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}
