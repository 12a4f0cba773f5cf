import type pg from 'pg';
import { deletePortal } from '../db/portals';
import {
  deleteAccountDeliveries,
  deleteContactDeliveries,
  deleteContactEvents,
  deleteContactLinks,
  deleteContactSyncLog,
  markContactDeletionDone,
} from '../db/privacy';
import { withTransaction, type Queryable } from '../db/transaction';

/**
 * What DealBooks holds about one HubSpot contact or one whole account, and how it is erased. Rows of an account all
 * reference portals(portal_id) ON DELETE CASCADE; raw webhook deliveries and queued jobs are found by the accounts
 * and ids they carry. Records that live in QuickBooks (a customer, an invoice) are the customer's accounting records
 * and are not DealBooks' to delete.
 */

export interface ContactDeletionCounts {
  links: number;
  events: number;
  deliveries: number;
  syncLog: number;
}

/** Erases what is stored about a contact of an account (privacy deletion), in one transaction. Idempotent. */
export function deleteContactData(pool: pg.Pool, portalId: number, contactId: string): Promise<ContactDeletionCounts> {
  return withTransaction(pool, async (client) => {
    // Raw deliveries go first (they are found through the events); then the events, except the deletion request.
    const deliveries = await deleteContactDeliveries(client, portalId, contactId);
    const events = await deleteContactEvents(client, portalId, contactId);
    await markContactDeletionDone(client, portalId, contactId);
    const links = await deleteContactLinks(client, portalId, contactId);
    const syncLog = await deleteContactSyncLog(client, portalId, contactId);
    return { links, events, deliveries, syncLog };
  });
}

export interface AccountDeletionCounts {
  deliveries: number;
  jobs: number;
  account: number;
}

/** Erases everything DealBooks holds for an account, in one transaction: its rows (cascade), raw deliveries and jobs. */
export function deleteAccountData(
  pool: pg.Pool,
  portalId: number,
  deleteJobs: (db: Queryable, portalId: number) => Promise<number>,
): Promise<AccountDeletionCounts> {
  return withTransaction(pool, async (client) => {
    const deliveries = await deleteAccountDeliveries(client, portalId);
    const jobs = await deleteJobs(client, portalId);
    const account = await deletePortal(client, portalId);
    return { deliveries, jobs, account };
  });
}
