import type { RequestHandler } from 'express';
import type pg from 'pg';
import type { Clock } from './clock';
import type { Config } from './config';
import type { OAuthStates } from './connections/oauth-states';
import type { HubSpotInstalls } from './connections/hubspot-installs';
import type { HubSpotOAuth } from './hubspot/oauth';
import type { JobQueue } from './jobs/queue';
import type { Logger } from './logger';
import type { QuickbooksApi } from './quickbooks/api';
import type { QuickbooksConnections } from './connections/quickbooks-connections';
import type { IntuitOAuth } from './quickbooks/intuit-oauth';
import type { TokenVault } from './security/token-vault';
import type { QuoteToCashDeps } from './quote-to-cash/deps';

/**
 * Everything a feature needs, built once in the composition root (service.ts) and handed to routes and jobs.
 * Tests build the same thing with their own clock, database and simulators.
 */
/**
 * Work a use-case asks to have done later and apart (retried, serial per account). The job queue carries it out
 * (jobs/connection-jobs.ts); use-cases only name what they need.
 */
export interface BackgroundWork {
  /** Reads the company's CompanyInfo and Preferences again. */
  refreshCompanyFacts(portalId: number): Promise<void>;
  /** Creates DealBooks' deal properties in HubSpot where missing (after the install could not). */
  ensureDealProperties(portalId: number): Promise<void>;
  /** Erases what DealBooks holds about a contact (a privacy deletion request). */
  deleteContactData(portalId: number, contactId: string): Promise<void>;
  /** Asks QuickBooks what changed since the account's checkpoint (after a (re)connect, or when a person asks). */
  checkQuickbooksChanges(portalId: number, reason: 'connected' | 'on demand'): Promise<void>;
}

export interface AppContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  pool: pg.Pool;
  vault: TokenVault;
  jobs: JobQueue;
  background: BackgroundWork;
  states: OAuthStates;
  hubspot: { oauth: HubSpotOAuth; installs: HubSpotInstalls };
  quickbooks: { oauth: IntuitOAuth; connections: QuickbooksConnections; api: QuickbooksApi };
  /** Quote to cash: the adapters, the QBO list cache and the work queue its use-cases share. */
  quoteToCash: QuoteToCashDeps;
  /** Verifies HubSpot's v3 signature and sets res.locals.account (see http/hubspot-auth.ts); every /api route uses it. */
  signedRequest: RequestHandler;
}
