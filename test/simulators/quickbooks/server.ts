/**
 * The QBO simulator's express app: one origin serving Intuit's OAuth endpoints, the Accounting API and the
 * control API. Order matters and follows the real request path:
 *   request log -> intuit_tid -> /_sim control -> injected faults -> OAuth routes ->
 *   /v3/company/:realmId: bearer auth -> throttles -> faults that match the body -> the domain's API router ->
 *   QBO-shaped errors and 404s.
 * Injected faults sit before authentication, so a test can break a call whatever its token; a fault that matches on
 * the body (`bodyContains`) can only be checked once the body is read, after authentication.
 */
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { SimClock } from '../common/clock';
import { commonControlRouter, controlErrorHandler } from '../common/control';
import { FaultInjector } from '../common/faults';
import { afterWrites } from '../common/snapshot';
import { RequestLog } from '../common/request-log';
import { WebhookDispatcher } from '../common/webhooks';
import { quickbooksApiRouter, quickbooksDomainControlRouter } from './api';
import { quickbooksBookkeeperRouter } from './bookkeeper';
import { qboBearerAuth } from './auth';
import { sendFaultResponse, type AuthFaultStyle } from './auth-faults';
import { QboCompanies, type QboCompanyState } from './company';
import { quickbooksShellControlRouter } from './control';
import { RealmLimiter, type QboLimits } from './limits';
import { DEMO_APP, QboOAuth, type QboOAuthApp, type QboOAuthState } from './oauth';
import { IdTokenSigner } from './oauth-id-token';
import { quickbooksOAuthRouter } from './oauth-routes';
import { notFoundFault, qboErrorHandler, qboFaultResponse } from './server-faults';
import type { QboBehaviourInput } from './behaviour';
import { QboWebhooks, type QboWebhookConfigInput } from './webhooks';
import { intuitRetryDelays } from './webhooks-format';

/** The demo company that seed 'demo' (and 'empty') creates, so the sandbox and tests can name it. */
export const DEMO_REALM_ID = '9341453908059321';
/** Intuit expects an answer within 3 s (developer.intuit.com/app/developer/qbo/docs/develop/webhooks/best-practices). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 3000;

export interface QuickbooksSimulatorOptions {
  port?: number;
  host?: string;
  clock?: SimClock;
  /** 'demo' (default): the demo company with data; 'empty': the demo company, bare; 'none': no company. */
  seed?: 'demo' | 'empty' | 'none';
  /** Registered OAuth apps (default: DEMO_APP). */
  apps?: QboOAuthApp[];
  /** How long a replaced refresh token keeps working (default 24 h). */
  refreshTokenGraceMs?: number;
  /** The body of 401 answers (default 'lowercase', as fixture fault_3200_authentication_401.json). */
  authFaultStyle?: AuthFaultStyle;
  limits?: Partial<QboLimits>;
  /**
   * The webhook target, format and aggregation window. `windowMs` (default 0: each write's changes go out at once,
   * which is what tests want) is how long changes of one company are collected into one delivery; Intuit aggregates
   * for 1, 3 or 5 minutes in production (INTUIT_AGGREGATION_WINDOWS_MS, webhooks.ts).
   */
  webhook?: QboWebhookConfigInput;
  /** Answers for behaviour no public source confirms (behaviour.ts), e.g. the fault for voiding a deposited payment. */
  behaviour?: QboBehaviourInput;
  /** A delivery slower than this (real ms) counts as failed and is retried. */
  webhookTimeoutMs?: number;
  /** Delays before each webhook retry (default Intuit's schedule, capped at 3 days). */
  webhookRetryDelaysMs?: number[];
  requestLogLimit?: number;
  /**
   * Called after every request that may have changed state (any method but GET and HEAD, once answered): the
   * sandbox saves the state on a debounce from here.
   */
  onWrite?: () => void;
}

/** What a restart needs to continue the same world: the books and the OAuth grants (QuickbooksSimulatorHandles). */
export interface QuickbooksSimulatorState {
  companies: QboCompanyState[];
  oauth: QboOAuthState;
}

export interface QuickbooksSimulatorHandles {
  clock: SimClock;
  companies: QboCompanies;
  oauth: QboOAuth;
  faults: FaultInjector;
  requests: RequestLog;
  limits: RealmLimiter;
  webhooks: QboWebhooks;
  dispatcher: WebhookDispatcher;
  authFaultStyle: { get(): AuthFaultStyle; set(style: AuthFaultStyle): void };
  /** Sends collected webhook changes now and waits until no delivery is on the wire. */
  flushWebhooks(): Promise<void>;
  /** Back to the start: seed data, no grants, no faults, no requests, no webhooks, start-up settings. */
  reset(): void;
  /** The companies and OAuth grants as JSON data. Faults, limits, the request log and deliveries on the wire are left out. */
  exportState(): QuickbooksSimulatorState;
  /** Replaces the companies and OAuth grants with saved ones (the seed is discarded). */
  importState(state: QuickbooksSimulatorState): void;
}

export function createQuickbooksSimulatorApp(options: QuickbooksSimulatorOptions = {}): { app: express.Express } & QuickbooksSimulatorHandles {
  const clock = options.clock ?? new SimClock();
  const companies = new QboCompanies({ clock, behaviour: options.behaviour });
  const idTokens = new IdTokenSigner();
  const apps = options.apps ?? [DEMO_APP];
  const oauth = new QboOAuth({ clock, companies, apps, refreshTokenGraceMs: options.refreshTokenGraceMs, idToken: (grant, now) => idTokens.sign(grant, now) });
  const requests = new RequestLog(() => clock.now(), options.requestLogLimit);
  const limits = new RealmLimiter(clock, options.limits);
  let authStyle: AuthFaultStyle = options.authFaultStyle ?? 'lowercase';
  const authFaultStyle = { get: () => authStyle, set: (style: AuthFaultStyle) => void (authStyle = style) };
  const faults = new FaultInjector((status, req) => qboFaultResponse(status, realmOf(req.path), { clock, authFaultStyle: authStyle }));
  const dispatcher = new WebhookDispatcher({
    clock,
    retryDelaysMs: options.webhookRetryDelaysMs ?? intuitRetryDelays(),
    timeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
  });
  const webhooks = new QboWebhooks({ clock, dispatcher, companies, appKey: apps[0]?.clientId ?? 'sim', initial: options.webhook });

  const seed = () => {
    if (options.seed !== 'none') companies.create(DEMO_REALM_ID, { seed: options.seed ?? 'demo' });
  };
  seed();

  const flushWebhooks = async () => {
    webhooks.flush();
    await dispatcher.settle();
  };
  const reset = () => {
    // The webhook target is the app developer's setting, not company data: it survives a reset, as in HubSpot's
    // simulator (the sandbox wires it once, after start).
    webhooks.reset(webhooks.current());
    dispatcher.reset();
    faults.clear();
    requests.clear();
    limits.reset(options.limits ?? {});
    oauth.reset();
    authStyle = options.authFaultStyle ?? 'lowercase';
    companies.reset();
    companies.configureBehaviour(options.behaviour ?? {}, { reset: true });
    seed();
  };
  const exportState = (): QuickbooksSimulatorState => ({ companies: companies.exportState(), oauth: oauth.exportState() });
  const importState = (state: QuickbooksSimulatorState) => {
    companies.importState(state.companies);
    oauth.importState(state.oauth);
  };
  const handles: QuickbooksSimulatorHandles = {
    clock,
    companies,
    oauth,
    faults,
    requests,
    limits,
    webhooks,
    dispatcher,
    authFaultStyle,
    flushWebhooks,
    reset,
    exportState,
    importState,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requests.middleware());
  app.use(intuitTid(clock));
  if (options.onWrite) app.use(afterWrites(options.onWrite));

  app.use('/_sim', express.json({ limit: '5mb' }));
  app.use('/_sim', commonControlRouter({ clock, requests, faults, webhooks: dispatcher, flushWebhooks, reset }));
  app.use('/_sim', quickbooksShellControlRouter({ oauth, webhooks, limits, authFaultStyle }));
  app.use('/_sim/quickbooks/bookkeeper/:realmId', quickbooksBookkeeperRouter({ companies, clock }));
  app.use('/_sim/quickbooks', quickbooksDomainControlRouter({ companies, clock }));
  app.use('/_sim', (_req, res) => void res.status(404).json({ error: 'no such control route' }));
  app.use('/_sim', controlErrorHandler());

  app.use(faults.middleware());
  app.use(quickbooksOAuthRouter({ oauth, idTokens }));

  const api = express.Router({ mergeParams: true });
  api.use(qboBearerAuth({ oauth, clock, authFaultStyle: () => authStyle }));
  api.use(limits.middleware());
  // Faults that match on the body (`bodyContains`) strike here, once the body is read: after authentication and limits.
  api.use(express.json({ type: ['application/json', '+json'], limit: '5mb' }), express.text({ type: ['application/text', 'text/plain'], limit: '1mb' }));
  api.use(faults.middleware({ bodyRulesOnly: true }));
  api.use(quickbooksApiRouter({ companies, clock }));
  app.use('/v3/company/:realmId', api);

  app.use((req, res) => sendFaultResponse(res, notFoundFault(req.method, req.path, clock)));
  app.use(qboErrorHandler({ clock, authFaultStyle: () => authStyle }));

  return { app, ...handles };
}

/** Every QBO answer names its request in an `intuit_tid` header; clients log it with errors. */
function intuitTid(clock: SimClock) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Shaped like the ids seen in the wild: "1-" + 8 hex digits of epoch seconds + "-" + 24 random hex digits.
    const seconds = Math.floor(clock.nowMs() / 1000).toString(16);
    if (!req.path.startsWith('/_sim')) res.setHeader('intuit_tid', `1-${seconds}-${randomBytes(12).toString('hex')}`);
    next();
  };
}

function realmOf(path: string): string {
  return /^\/v3\/company\/([^/]+)/.exec(path)?.[1] ?? '';
}
