import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, Router } from 'express';
import type pg from 'pg';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { OAuthStates } from './connections/oauth-states';
import type { AppContext } from './context';
import { openDatabase, ping, type Database } from './db/database';
import { migrate, pendingMigrations } from './db/migrate';
import { createHttpApp } from './http/app';
import { requireHubSpotSignature } from './http/hubspot-auth';
import { accountApiRoutes } from './http/routes/account-api';
import { hubspotOAuthRoutes } from './http/routes/hubspot-oauth';
import { quickbooksApiRoutes } from './http/routes/quickbooks-api';
import { quickbooksOAuthRoutes } from './http/routes/quickbooks-oauth';
import { webhookRoutes } from './http/routes/webhooks';
import { refusalReport } from './webhooks/signature-refusals';
import { dealApiRoutes } from './http/routes/deal-api';
import { settingsApiRoutes } from './http/routes/settings-api';
import { HubSpotDeals } from './hubspot/deals';
import { dealWorkQueue, queueDealEvents, queuePartyEvents, registerDealJobs } from './jobs/deal-jobs';
import { QuickbooksChangeFeed } from './quickbooks/change-feed';
import { QuickbooksSales } from './quickbooks/sales';
import { CatalogCache } from './quote-to-cash/catalog-cache';
import { HubSpotInstalls } from './connections/hubspot-installs';
import { HubSpotOAuth } from './hubspot/oauth';
import { connectionWork, registerConnectionJobs } from './jobs/connection-jobs';
import type { ReadinessReport } from './http/health';
import { registerHousekeeping } from './jobs/housekeeping';
import { registerBackstopJobs } from './jobs/backstop-jobs';
import { qboChangeWork, queueQboChanges, registerQboChangeJobs } from './jobs/qbo-change-jobs';
import { registerOverdueJobs } from './jobs/overdue-jobs';
import { JobQueue, type JobQueueOptions } from './jobs/queue';
import { withDeadline } from './lib/deadline';
import type { Logger } from './logger';
import { startMetricsListener, type MetricsListener } from './metrics/listener';
import { createServiceMetrics, type ServiceMetrics, type TokenRefreshOutcome } from './metrics/service-metrics';
import { QuickbooksApi } from './quickbooks/api';
import { QuickbooksConnections } from './connections/quickbooks-connections';
import { IntuitOAuth } from './quickbooks/intuit-oauth';
import { vaultFromConfig } from './security/encryption-key';
import type { TokenVault } from './security/token-vault';

/**
 * The composition root: the one place where config, database, job queue and HTTP are wired together. Tests
 * build it with their own database and job definitions; main() builds it from the environment.
 */
export interface ServiceOptions {
  config: Config;
  logger: Logger;
  /** An already-open database (tests); otherwise one is opened from the config. */
  database?: Database;
  /** Run job workers in this process (default true). Tests may drive jobs by hand with jobs.runNext(). */
  workers?: boolean;
  /** Extra job queues (tests; later features register theirs here). */
  defineJobs?: (jobs: JobQueue) => void;
  jobQueueOptions?: Partial<Omit<JobQueueOptions, 'pool' | 'logger'>>;
  /** DealBooks' time (tests move it); default the system clock. */
  clock?: Clock;
  /** The token vault; default from TOKEN_ENCRYPTION_KEY (or the sandbox's generated key). */
  vault?: TokenVault;
  /** More routes, mounted after DealBooks' own (the sandbox's workbench). */
  routers?: Router[];
}

export interface Service {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly jobs: JobQueue;
  readonly http: Express;
  readonly context: AppContext;
  /** This service's own Prometheus registry and counters (never prom-client's global one). */
  readonly metrics: ServiceMetrics;
  /** Where GET /metrics is served once started; undefined when METRICS_PORT is unset (no listener). */
  metricsAddress(): AddressInfo | undefined;
  readiness(): Promise<ReadinessReport>;
  /** Applies migrations, starts the job queue (and workers) and the metrics listener (METRICS_PORT). */
  start(): Promise<void>;
  /** Serves HTTP on the port (0: any free one); resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Serves HTTP on a server the caller has already bound. For callers whose config names the service's own address
   * (PUBLIC_BASE_URL) before the service exists: they bind port 0 first and build the config from the port they
   * got, so nothing else can take that port in between. stop() closes it like a server from listen().
   */
  serve(bound: Server): void;
  /** Stops taking work, lets running jobs finish (bounded by config.shutdownTimeoutMs), closes the database. */
  stop(): Promise<void>;
}

export async function createService(options: ServiceOptions): Promise<Service> {
  const { config, logger } = options;
  // The vault first: a bad key stops the process before anything is opened that would need closing.
  const vault = options.vault ?? (await vaultFromConfig(config, logger));
  const ownsDatabase = !options.database;
  const db =
    options.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger }));

  // One registry per service: the queue gauges read this service's own job table when scraped.
  const metrics = createServiceMetrics({ logger, backlog: () => jobs.backlog() });
  const jobs = new JobQueue({ pool: db.pool, logger, ...options.jobQueueOptions, onSettled: (settled) => metrics.jobSettled(settled) });
  const context = buildContext({ config, logger, pool: db.pool, jobs, clock: options.clock ?? systemClock, vault, metrics });
  registerHousekeeping(jobs, db.pool);
  registerConnectionJobs(context);
  registerDealJobs(context);
  registerBackstopJobs(context);
  registerQboChangeJobs(context);
  registerOverdueJobs(context);
  options.defineJobs?.(jobs);

  let started = false;
  let stopping = false;
  let server: Server | undefined;
  let metricsListener: MetricsListener | undefined;

  async function readiness(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    try {
      await withDeadline(ping(db.pool), 2000, () => new Error('timeout'));
      checks.database = { ok: true };
      const pending = await withDeadline(pendingMigrations(db.pool), 2000, () => new Error('timeout'));
      checks.migrations = pending.length === 0 ? { ok: true } : { ok: false, message: `${pending.length} migration(s) not applied` };
      // Refused webhook signatures per source: information for an operator, never a reason to take traffic away.
      if (pending.length === 0) checks.webhookSignatures = { ok: true, details: { refused: await withDeadline(refusalReport(db.pool), 2000, () => new Error('timeout')) } };
    } catch {
      checks.database = { ok: false, message: 'database unreachable' };
      checks.migrations = { ok: false, message: 'unknown: database unreachable' };
    }
    const wantWorkers = options.workers ?? true;
    const queueOk = jobs.isStarted && (!wantWorkers || jobs.isWorking);
    checks.queue = queueOk ? { ok: true } : { ok: false, message: stopping ? 'shutting down' : 'job queue not running' };
    if (stopping) checks.shutdown = { ok: false, message: 'shutting down' };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  const http = createHttpApp({
    logger,
    readiness,
    routers: [
      webhookRoutes({
        config,
        clock: context.clock,
        pool: db.pool,
        logger,
        onPrivacyDeletion: (portalId, contactId) => context.background.deleteContactData(portalId, contactId),
        onDealEvents: (events) => queueDealEvents(context, events),
        onPartyEvents: (events) => queuePartyEvents(context, events),
        onQuickbooksEvents: (objects) => queueQboChanges(context, objects),
        onIntake: (intake) => {
          metrics.webhookDelivery(intake.source, intake.outcome);
          if (intake.outcome === 'stored') metrics.webhookEvents(intake.source, intake.events);
        },
      }),
      hubspotOAuthRoutes(context),
      quickbooksOAuthRoutes(context),
      quickbooksApiRoutes(context),
      accountApiRoutes(context),
      dealApiRoutes(context),
      settingsApiRoutes(context),
      ...(options.routers ?? []),
    ],
  });

  return {
    config,
    logger,
    db,
    jobs,
    http,
    context,
    metrics,
    metricsAddress: () => metricsListener?.address,
    readiness,
    async start() {
      if (started) return;
      await migrate(db.pool, logger);
      await jobs.start();
      if (options.workers ?? true) jobs.startWorkers();
      if (config.metrics.port !== undefined) {
        metricsListener = await startMetricsListener({ registry: metrics.registry, port: config.metrics.port, host: config.metrics.host, logger });
        logger.info({ metrics: metricsListener.address }, `metrics at http://${config.metrics.host}:${metricsListener.address.port}/metrics`);
      }
      started = true;
    },
    listen(port = config.port, host?: string) {
      return new Promise<AddressInfo>((resolve, reject) => {
        const s = createServer(http);
        s.once('error', reject);
        s.listen({ port, host }, () => resolve(s.address() as AddressInfo));
        server = s;
      });
    },
    serve(bound) {
      bound.on('request', http);
      server = bound;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      const closing = server
        ? new Promise<void>((resolve) => {
            server!.close(() => resolve());
            server!.closeIdleConnections();
          })
        : Promise.resolve();
      await jobs.stop(config.shutdownTimeoutMs);
      await metricsListener?.close();
      // In-flight requests get the same bound as jobs; then remaining sockets are cut.
      const timer = setTimeout(() => server?.closeAllConnections(), config.shutdownTimeoutMs);
      await closing;
      clearTimeout(timer);
      if (ownsDatabase) await db.close();
    },
  };
}

/** The composition of DealBooks' parts around one database, clock and vault. */
export function buildContext(parts: { config: Config; logger: Logger; pool: pg.Pool; jobs: JobQueue; clock: Clock; vault: TokenVault; metrics?: ServiceMetrics }): AppContext {
  const { config, logger, pool, jobs, clock, vault, metrics } = parts;
  // The adapters and the token store are told of their calls through small callbacks; only this root knows metrics.
  const onRefresh = metrics && ((provider: string, outcome: TokenRefreshOutcome) => metrics.tokenRefresh(provider, outcome));
  const hubspotOAuth = new HubSpotOAuth(config);
  const intuit = new IntuitOAuth(config);
  const connections = new QuickbooksConnections({ pool, vault, oauth: intuit, clock, logger, environment: config.quickbooks.environment, onRefresh });
  const installs = new HubSpotInstalls({ pool, vault, oauth: hubspotOAuth, clock, logger, apiBaseUrl: config.hubspot.apiBaseUrl, onRefresh });
  const api = new QuickbooksApi({
    apiBaseUrl: config.quickbooks.apiBaseUrl,
    connections,
    logger,
    onCall: metrics && ((call) => metrics.upstreamCall({ api: 'quickbooks', ...call })),
  });
  const quoteToCash = {
    pool,
    clock,
    logger,
    installs,
    deals: new HubSpotDeals({ installs, logger, onCall: metrics && ((call) => metrics.upstreamCall({ api: 'hubspot', ...call })) }),
    connections,
    sales: new QuickbooksSales({ api, logger }),
    changes: new QuickbooksChangeFeed(api),
    cache: new CatalogCache(clock),
    queue: dealWorkQueue(jobs),
    appId: config.hubspot.appId ?? null,
  };
  return {
    config,
    logger,
    clock,
    pool,
    vault,
    jobs,
    background: { ...connectionWork(jobs), ...qboChangeWork(jobs) },
    states: new OAuthStates(pool, vault.deriveKey('oauth-state'), clock),
    hubspot: { oauth: hubspotOAuth, installs },
    quickbooks: { oauth: intuit, connections, api },
    quoteToCash,
    signedRequest: requireHubSpotSignature({
      clientSecret: config.hubspot.clientSecret,
      publicBaseUrl: config.publicBaseUrl,
      clock,
      pool,
      sandboxHubSpotUrl: config.sandbox ? config.hubspot.apiBaseUrl : undefined,
    }),
  };
}
