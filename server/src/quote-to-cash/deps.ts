import type pg from 'pg';
import type { Clock } from '../clock';
import type { HubSpotDeals } from '../hubspot/deals';
import type { HubSpotInstalls } from '../connections/hubspot-installs';
import type { Logger } from '../logger';
import type { QuickbooksConnections } from '../connections/quickbooks-connections';
import type { QuickbooksChangeFeed } from '../quickbooks/change-feed';
import type { QuickbooksSales } from '../quickbooks/sales';
import type { CatalogCache } from './catalog-cache';

/**
 * What the quote-to-cash use-cases work with: the database, DealBooks' clock, the two adapters, a short-lived copy
 * of the QBO lists, and a way to queue more work on a deal. Built once in the composition root (service.ts); tests
 * build it with the simulators behind the adapters.
 */
export interface QuoteToCashDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  installs: HubSpotInstalls;
  deals: HubSpotDeals;
  connections: QuickbooksConnections;
  sales: QuickbooksSales;
  /** What changed in QuickBooks: one object now, change data capture, queries since a time. */
  changes: QuickbooksChangeFeed;
  cache: CatalogCache;
  queue: DealWorkQueue;
  /** DealBooks' HubSpot app id, which HubSpot names as the source of DealBooks' own changes (null when not configured). */
  appId: string | null;
}

/**
 * Work on one deal runs serially across every worker (jobs/deal-jobs.ts implements this). A use-case queues work
 * only through here, so it never depends on the job queue itself.
 */
export interface DealWorkQueue {
  /** Runs a queued deal action (create, convert, send). */
  action(portalId: number, dealId: string, actionId: number): Promise<void>;
  /**
   * Brings the deal's DealBooks properties and money notes up to date (write-back.ts writeBack): after HubSpot failed
   * to take them, with the action's `lastProblem`; after a change in QuickBooks, without (the last problem stays).
   */
  writeBack(portalId: number, dealId: string, lastProblem?: string): Promise<void>;
  /** When the queued work of these actions is next tried (actions whose work is running now have no entry). */
  nextAttempts(actionIds: number[]): Promise<Map<number, Date>>;
}
