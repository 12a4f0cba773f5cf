import type { AppContext } from '../context';
import { connectedPortalIds } from '../db/qbo-connections';
import { ConnectionBlockedError } from '../errors';
import { companyFacts } from '../quickbooks/company-facts';

/**
 * Keeping connections alive without anyone using them:
 * - every grant idle for a week is exercised. QBO refresh tokens roll over 100 days, so an account nobody touched
 *   for a season would otherwise lose its connection; for HubSpot, whose tokens do not roll, a refresh is how
 *   DealBooks learns an uninstall (HubSpot pushes none to project apps);
 * - each company's facts (CompanyInfo and Preferences) are read again, so the book close date and currency that
 *   preflight checks stay current.
 */
/** A grant unused this long is refreshed by the keep-alive schedule: a tenth of QBO's 100-day rolling life. */
export const KEEP_ALIVE_IDLE_MS = 7 * 24 * 3600_000;

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
    await ctx.background.refreshCompanyFacts(portalId);
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
