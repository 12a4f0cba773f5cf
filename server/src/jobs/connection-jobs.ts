import { z } from 'zod';
import type { AppContext, BackgroundWork } from '../context';
import { ensureDealProperties } from '../connections/install-hubspot';
import { refreshCompanyFacts, runKeepAlive } from '../connections/keep-alive';
import { deleteContactData } from '../privacy/account-data';
import type { JobQueue } from './queue';

/**
 * The background work of connections, each a queue:
 * - keep-alive (daily): refreshes idle grants and queues a re-read of each company's facts (connections/keep-alive.ts);
 * - company facts (per account, serial): CompanyInfo and Preferences. It needs QuickBooks, so when the connection
 *   needs a person it waits;
 * - deal properties (per account): created by the install; retried here when HubSpot failed at that moment;
 * - privacy deletion (per account, serial): a contact.privacyDeletion event erases what DealBooks holds about it.
 */
export const KEEP_ALIVE_QUEUE = 'connections.keep-alive';
export const COMPANY_FACTS_QUEUE = 'quickbooks.company-facts';
export const DEAL_PROPERTIES_QUEUE = 'hubspot.deal-properties';
export const PRIVACY_DELETION_QUEUE = 'privacy.contact-deletion';

const portalJob = z.object({ portalId: z.number().int().positive() });
const privacyJob = z.object({ portalId: z.number().int().positive(), contactId: z.string().regex(/^\d{1,20}$/) });

/** How use-cases ask for this work to be done later (context.ts). */
export function connectionWork(jobs: JobQueue): Omit<BackgroundWork, 'checkQuickbooksChanges'> {
  return {
    refreshCompanyFacts: async (portalId) => {
      await jobs.send(COMPANY_FACTS_QUEUE, { portalId });
    },
    ensureDealProperties: async (portalId) => {
      await jobs.send(DEAL_PROPERTIES_QUEUE, { portalId });
    },
    deleteContactData: async (portalId, contactId) => {
      await jobs.send(PRIVACY_DELETION_QUEUE, { portalId, contactId });
    },
  };
}

export function registerConnectionJobs(ctx: AppContext): void {
  ctx.jobs.define({
    name: KEEP_ALIVE_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '23 3 * * *',
    cronData: {},
    retryLimit: 2,
    concurrency: 1,
    expireInSeconds: 3600,
    handler: () => runKeepAlive(ctx),
  });
  ctx.jobs.define({
    name: COMPANY_FACTS_QUEUE,
    schema: portalJob,
    serialKey: (data) => `portal:${data.portalId}`,
    handler: (data, job) => refreshCompanyFacts(ctx, data.portalId, job.signal),
  });
  ctx.jobs.define({
    name: DEAL_PROPERTIES_QUEUE,
    schema: portalJob,
    serialKey: (data) => `portal:${data.portalId}`,
    // HubSpot may be down for a while: back off from a minute up to hours, and wait if the app was uninstalled.
    retryLimit: 10,
    retryDelaySeconds: 60,
    handler: async (data) => ({ ensured: await ensureDealProperties(ctx, data.portalId) }),
  });
  ctx.jobs.define({
    name: PRIVACY_DELETION_QUEUE,
    schema: privacyJob,
    serialKey: (data) => `portal:${data.portalId}`,
    handler: async (data, job) => {
      const counts = await deleteContactData(ctx.pool, data.portalId, data.contactId);
      // Counts only: the contact id is the person's identifier in that account and is not repeated in logs.
      job.logger.info({ portalId: data.portalId, removed: counts }, 'privacy deletion of a contact done');
      return { removed: counts };
    },
  });
}
