import { z } from 'zod';
import { ConnectionBlockedError } from '../errors';
import type { AppContext } from '../context';
import { DEAL_PROPERTIES_QUEUE } from '../hubspot/deal-properties';
import { ensureDealProperties } from '../connections/hubspot-install';
import { connectedPortalIds } from '../db/qbo-connections';
import { companyFacts } from '../quickbooks/company-facts';
import { deleteContactData } from '../privacy/account-data';

/**
 * The background work of connections:
 * - keep-alive (daily): exercises every grant idle for a week. QBO refresh tokens roll over 100 days, so an account
 *   nobody touched for a season would otherwise lose its connection; for HubSpot, whose tokens do not roll, it is how
 *   DealBooks learns an uninstall (no push for project apps). It also queues a re-read of each company's facts.
 * - company facts (per account, serial): CompanyInfo and Preferences, so the book close date and currency that
 *   preflight checks are current. It needs QuickBooks, so when the connection needs a person it waits.
 * - deal properties (per account): created by the install; retried here when HubSpot failed at that moment.
 * - privacy deletion (per account, serial): a contact.privacyDeletion event erases what DealBooks holds about it.
 */
export const KEEP_ALIVE_QUEUE = 'connections.keep-alive';
export const COMPANY_FACTS_QUEUE = 'quickbooks.company-facts';
export const PRIVACY_DELETION_QUEUE = 'privacy.contact-deletion';

/** A grant unused this long is refreshed by the keep-alive schedule: a tenth of QBO's 100-day rolling life. */
export const KEEP_ALIVE_IDLE_MS = 7 * 24 * 3600_000;

const portalJob = z.object({ portalId: z.number().int().positive() });
const privacyJob = z.object({ portalId: z.number().int().positive(), contactId: z.string().regex(/^\d{1,20}$/) });

export interface KeepAliveReport {
  quickbooks: { refreshed: number; needReconnect: number; failed: number };
  hubspot: { refreshed: number; uninstalled: number; failed: number };
  companyFactsQueued: number;
}

export async function runKeepAlive(ctx: AppContext): Promise<KeepAliveReport> {
  const report: KeepAliveReport = {
    quickbooks: { refreshed: 0, needReconnect: 0, failed: 0 },
    hubspot: { refreshed: 0, uninstalled: 0, failed: 0 },
    companyFactsQueued: 0,
  };
  for (const { portalId } of await ctx.quickbooks.connections.idleConnections(KEEP_ALIVE_IDLE_MS)) {
    try {
      await ctx.quickbooks.connections.refreshNow(portalId);
      report.quickbooks.refreshed += 1;
    } catch (err) {
      if (err instanceof ConnectionBlockedError) report.quickbooks.needReconnect += 1;
      else report.quickbooks.failed += 1;
    }
  }
  for (const portalId of await ctx.hubspot.installs.idleInstalls(KEEP_ALIVE_IDLE_MS)) {
    try {
      await ctx.hubspot.installs.refreshNow(portalId);
      report.hubspot.refreshed += 1;
    } catch (err) {
      if (err instanceof ConnectionBlockedError) report.hubspot.uninstalled += 1;
      else report.hubspot.failed += 1;
    }
  }
  for (const portalId of await connectedPortalIds(ctx.pool)) {
    await ctx.jobs.send(COMPANY_FACTS_QUEUE, { portalId });
    report.companyFactsQueued += 1;
  }
  ctx.logger.info({ report }, 'connection keep-alive done');
  return report;
}

/** Re-reads the company's CompanyInfo and Preferences into the connection row. */
export async function refreshCompanyFacts(ctx: AppContext, portalId: number, signal?: AbortSignal): Promise<{ companyName: string | null }> {
  const live = await ctx.quickbooks.connections.live(portalId);
  if (!live) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
  const api = ctx.quickbooks.api;
  const info = await api.get(portalId, `/companyinfo/${encodeURIComponent(live.realmId)}`, {}, signal);
  const prefs = await api.get(portalId, '/preferences', {}, signal);
  const facts = companyFacts(info.json, prefs.json);
  await ctx.quickbooks.connections.updateFacts(live.id, facts);
  return { companyName: facts.companyName };
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

export async function requestPrivacyDeletion(ctx: AppContext, portalId: number, contactId: string): Promise<void> {
  await ctx.jobs.send(PRIVACY_DELETION_QUEUE, { portalId, contactId });
}
