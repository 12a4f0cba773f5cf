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
  readiness(): Promise<ReadinessReport>;
  /** Applies migrations, starts the job queue (and workers). */
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

  const jobs = new JobQueue({ pool: db.pool, logger, ...options.jobQueueOptions });
  const context = buildContext({ config, logger, pool: db.pool, jobs, clock: options.clock ?? systemClock, vault });
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
    readiness,
    async start() {
      if (started) return;
      await migrate(db.pool, logger);
      await jobs.start();
      if (options.workers ?? true) jobs.startWorkers();
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
      // In-flight requests get the same bound as jobs; then remaining sockets are cut.
      const timer = setTimeout(() => server?.closeAllConnections(), config.shutdownTimeoutMs);
      await closing;
      clearTimeout(timer);
      if (ownsDatabase) await db.close();
    },
  };
}

/** The composition of DealBooks' parts around one database, clock and vault. */
export function buildContext(parts: { config: Config; logger: Logger; pool: pg.Pool; jobs: JobQueue; clock: Clock; vault: TokenVault }): AppContext {
  const { config, logger, pool, jobs, clock, vault } = parts;
  const hubspotOAuth = new HubSpotOAuth(config);
  const intuit = new IntuitOAuth(config);
  const connections = new QuickbooksConnections({ pool, vault, oauth: intuit, clock, logger, environment: config.quickbooks.environment });
  const installs = new HubSpotInstalls({ pool, vault, oauth: hubspotOAuth, clock, logger, apiBaseUrl: config.hubspot.apiBaseUrl });
  const api = new QuickbooksApi({ apiBaseUrl: config.quickbooks.apiBaseUrl, connections, logger });
  const quoteToCash = {
    pool,
    clock,
    logger,
    installs,
    deals: new HubSpotDeals({ installs, logger }),
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
